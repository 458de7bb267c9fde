// Accept every request `$me` (merged and locked) has received and not answered,
// in this one transaction, each with its FRIEND (requester -> target).
// The requesters are write-locked first, in key order, before anything is written: each
// new FRIEND changes their FRIEND_TOP (cypher/graph/refresh_tops, run next in the same
// transaction), and a relationship made on a hub would otherwise take only a shared lock.
MATCH (me:Person) WHERE elementId(me) = $me AND me.org = $org
CALL (me) {
  MATCH (me)<-[c:CONNECTED]-(a:Person)
  WHERE c.status = 'pending'
  WITH a ORDER BY a.key
  SET a._lock = true
  REMOVE a._lock
}
MATCH (me)<-[c:CONNECTED]-(a:Person)
WHERE c.status = 'pending'
SET c.status = 'accepted', c.respondedAt = datetime()
CREATE (a)-[:FRIEND]->(me)
RETURN collect({rel: properties(c), requester: a {.id, .email}, target: me {.id, .email}}) AS accepted,
       collect(elementId(a)) AS requesters
