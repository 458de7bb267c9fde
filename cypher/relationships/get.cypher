// Where the acting person stands with each of up to 100 people, in the order asked,
// in one round trip: what a list of profiles needs to draw its follow, connect, block
// and mute buttons. `$targets` is a list of {id, email}; someone unknown answers
// all-false. The connection is the live one if any, else the latest rejected request.
// Mutual connections: my friends (FRIEND: accepted connections, no status read) are
// collected once, then each target's friends are checked against them; walking my friends' connections again for
// every target repeated that walk a hundred times.
OPTIONAL MATCH (a:Person {org: $org, id: $meId})
OPTIONAL MATCH (b:Person {org: $org, email: $meEmail})
WITH coalesce(a, b) AS me
CALL (me) {
  OPTIONAL MATCH (me)-[:FRIEND]-(m)
  RETURN collect(m) AS friends
}
UNWIND range(0, size($targets) - 1) AS i
WITH me, friends, i, $targets[i] AS ref
OPTIONAL MATCH (tx:Person {org: $org, id: ref.id})
OPTIONAL MATCH (ty:Person {org: $org, email: ref.email})
WITH me, friends, i, coalesce(tx, ty) AS t
WITH me, friends, i, CASE WHEN me IS NULL OR t = me THEN null ELSE t END AS t
CALL (me, t) {
  OPTIONAL MATCH (me)-[c:CONNECTED]-(t)
  WITH c ORDER BY c.liveKey IS NULL, coalesce(c.respondedAt, c.requestedAt) DESC
  LIMIT 1
  RETURN c, c IS NOT NULL AND startNode(c) = me AS sent
}
WITH i, {
  following: t IS NOT NULL AND EXISTS { (me)-[f:FOLLOWS]->(t) WHERE f.status = 'active' },
  followRequested: t IS NOT NULL AND EXISTS { (me)-[f:FOLLOWS]->(t) WHERE f.status = 'pending' },
  followedBy: t IS NOT NULL AND EXISTS { (t)-[f:FOLLOWS]->(me) WHERE f.status = 'active' },
  connection: CASE
    WHEN c IS NULL THEN 'none'
    WHEN c.status = 'pending' AND sent THEN 'pending_sent'
    WHEN c.status = 'pending' THEN 'pending_received'
    ELSE c.status
  END,
  connectionId: c.id,
  blocking: t IS NOT NULL AND EXISTS { (me)-[:BLOCKS]->(t) },
  blockedBy: t IS NOT NULL AND EXISTS { (t)-[:BLOCKS]->(me) },
  muting: t IS NOT NULL AND EXISTS { (me)-[:MUTES]->(t) },
  mutualConnections: CASE WHEN t IS NULL THEN 0 ELSE COUNT {
    (t)-[:FRIEND]-(m) WHERE m IN friends
  } END
} AS item
ORDER BY i
RETURN collect(item) AS data
