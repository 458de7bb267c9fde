// Remove the live connection (pending either way, or accepted) between `$me` and
// `$other`, both merged and locked by identity/merge_people, and their FRIEND.
MATCH (me:Person) WHERE elementId(me) = $me AND me.org = $org
MATCH (o:Person) WHERE elementId(o) = $other AND o.org = $org
MATCH (me)-[c:CONNECTED]-(o)
WHERE c.liveKey IS NOT NULL
CALL (me, o) {
  MATCH (me)-[f:FRIEND]-(o)
  DELETE f
}
WITH c, startNode(c) AS a, endNode(c) AS b
WITH c, {rel: properties(c), requester: a {.id, .email}, target: b {.id, .email}} AS connection
DELETE c
RETURN connection
