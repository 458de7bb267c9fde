// The org's events after a cursor, oldest first (a range seek on (org, seq)).
MATCH (e:Event)
WHERE e.org = $org AND e.seq > $after AND ($types IS NULL OR e.type IN $types)
RETURN e.id AS id, e.seq AS cursor, e.type AS type, e.actor AS actor, e.subject AS subject,
       e.payload AS payload, toString(e.createdAt) AS createdAt
ORDER BY e.seq
LIMIT $limit
