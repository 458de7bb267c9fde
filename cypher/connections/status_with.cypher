// Where the acting person stands with another: the live connection if there is
// one, else the latest rejected request, else nothing.
OPTIONAL MATCH (x:Person {org: $org, id: $meId})
OPTIONAL MATCH (y:Person {org: $org, email: $meEmail})
WITH coalesce(x, y) AS me
OPTIONAL MATCH (ox:Person {org: $org, id: $otherId})
OPTIONAL MATCH (oy:Person {org: $org, email: $otherEmail})
WITH me, coalesce(ox, oy) AS other
OPTIONAL MATCH (me)-[c:CONNECTED]-(other)
WITH me, c ORDER BY c.liveKey IS NULL, coalesce(c.respondedAt, c.requestedAt) DESC
LIMIT 1
RETURN CASE
    WHEN c IS NULL THEN 'none'
    WHEN c.status = 'pending' AND startNode(c) = me THEN 'pending_sent'
    WHEN c.status = 'pending' THEN 'pending_received'
    ELSE c.status
  END AS status,
  c.id AS connectionId
