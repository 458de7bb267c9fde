// The org's connection events, oldest first (a range seek on (org, seq)); the
// checker keeps the latest per connection id and compares it with the edge.
MATCH (e:Event)
WHERE e.org = $org AND e.seq IS NOT NULL AND e.type STARTS WITH 'connection.'
RETURN e.seq AS seq, e.type AS type, e.payload AS payload
ORDER BY e.seq
