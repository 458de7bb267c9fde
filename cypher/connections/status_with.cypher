// Where each acting person stands with another, for a list of pairs ({meId | meEmail,
// otherId | otherEmail}): one pair per call, or the single lookups of many callers
// arriving together (coalesced, graphsvc/db/coalesce.py); one record per pair. The
// live connection if there is one, else the latest rejected request, else nothing.
UNWIND range(0, size($pairs) - 1) AS k
WITH k, $pairs[k] AS pair
OPTIONAL MATCH (x:Person {org: $org, id: pair.meId})
OPTIONAL MATCH (y:Person {org: $org, email: pair.meEmail})
WITH k, pair, coalesce(x, y) AS me
OPTIONAL MATCH (ox:Person {org: $org, id: pair.otherId})
OPTIONAL MATCH (oy:Person {org: $org, email: pair.otherEmail})
WITH k, me, coalesce(ox, oy) AS other
CALL (me, other) {
  OPTIONAL MATCH (me)-[c:CONNECTED]-(other)
  WITH c ORDER BY c.liveKey IS NULL, coalesce(c.respondedAt, c.requestedAt) DESC
  LIMIT 1
  RETURN c
}
RETURN k, CASE
    WHEN c IS NULL THEN 'none'
    WHEN c.status = 'pending' AND startNode(c) = me THEN 'pending_sent'
    WHEN c.status = 'pending' THEN 'pending_received'
    ELSE c.status
  END AS status,
  c.id AS connectionId
