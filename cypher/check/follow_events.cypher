// The org's follow events, oldest first (a range seek on (org, seq)); the checker
// keeps the latest per (actor, subject, kind) and compares it with the edges.
MATCH (e:Event)
WHERE e.org = $org AND e.seq IS NOT NULL
  AND e.type IN ['follow.created', 'follow.deleted', 'follow.requested', 'follow.rejected']
RETURN e.seq AS seq, e.type AS type, e.actor AS actor, e.subject AS subject, e.payload AS payload
ORDER BY e.seq
