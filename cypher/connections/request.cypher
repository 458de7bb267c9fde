// `$me` asks `$target` to connect. Both were merged and write-locked (in key
// order) by identity/merge_people, so crossing requests from the two sides run
// one after the other: the second finds the first pending and accepts it, writing
// its FRIEND from the first requester (the pending edge's start) to `$me`.
// The connection_live constraint on liveKey refuses a second live edge anyway.
MATCH (me:Person) WHERE elementId(me) = $me AND me.org = $org
MATCH (t:Person) WHERE elementId(t) = $target AND t.org = $org
OPTIONAL MATCH (me)-[live:CONNECTED]-(t) WHERE live.liveKey IS NOT NULL
WITH me, t, live,
  CASE
    WHEN me = t THEN 'self'
    WHEN EXISTS { (me)-[:BLOCKS]-(t) } THEN 'blocked'
    WHEN live IS NOT NULL AND live.status = 'accepted' THEN 'connected'
    WHEN live IS NOT NULL AND startNode(live) = me THEN 'pending'
    WHEN live IS NOT NULL THEN 'accept'
    WHEN COUNT { (me)-[p:CONNECTED]->() WHERE p.status = 'pending' } >= $maxPending THEN 'limit'
    ELSE 'created'
  END AS outcome
CALL (me, t, live, outcome) {
  WITH me, t, live, outcome WHERE outcome = 'accept'
  SET live.status = 'accepted', live.respondedAt = datetime()
  CREATE (t)-[:FRIEND]->(me)
}
CALL (me, t, outcome) {
  WITH me, t, outcome WHERE outcome = 'created'
  CREATE (me)-[:CONNECTED {
    id: 'con_' + replace(randomUUID(), '-', ''), org: $org, status: 'pending',
    liveKey: CASE WHEN me.key < t.key THEN me.key + ':' + t.key ELSE t.key + ':' + me.key END,
    message: $message, context: $context, requestedAt: datetime()
  }]->(t)
}
WITH me, t, outcome
OPTIONAL MATCH (me)-[c:CONNECTED]-(t)
WHERE c.liveKey IS NOT NULL
WITH outcome, c, startNode(c) AS a, endNode(c) AS b
RETURN outcome, CASE WHEN c IS NULL THEN null
  ELSE {rel: properties(c), requester: a {.id, .email}, target: b {.id, .email}} END AS connection
