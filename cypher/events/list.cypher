// The org's events after a cursor, oldest first. Ordering by (org, seq) lets the
// unique (org, seq) index deliver rows already in order, so LIMIT stops the seek
// early instead of sorting every later event of the org.
MATCH (e:Event)
WHERE e.org = $org AND e.seq > $after
WITH e ORDER BY e.org, e.seq
WHERE $types IS NULL OR e.type IN $types
RETURN e.id AS id, e.seq AS cursor, e.org AS org, e.type AS type, e.actor AS actor, e.subject AS subject,
       e.payload AS payload, toString(e.createdAt) AS createdAt
LIMIT $limit
