// FRIEND_TOP, the suggestions' shortcut past a hub: a person with more than $keep
// friends has a FRIEND_TOP to each of the $keep of them with the smallest keys (id,
// else email, as suggestions order them), and nobody else has any. Suggestions then
// read those instead of every friend's key (cypher/graph/suggestions). Run in the
// transaction that changed these people's FRIEND edges, after the change. Every person
// is write-locked, in key order, before their friends are counted: two changes around
// one hub are refreshed one after the other, each seeing the other's friends. The kept
// set is recomputed from FRIEND (the cost of reading a hub's keys once per change);
// only the edges that differ are deleted or created.
UNWIND $people AS ref
MATCH (p:Person) WHERE elementId(p) = ref AND p.org = $org
WITH DISTINCT p ORDER BY p.key
SET p._lock = true
REMOVE p._lock
WITH p, COUNT { (p)-[:FRIEND]-() } AS degree
WHERE degree > $keep OR EXISTS { (p)-[:FRIEND_TOP]->() }
CALL (p, degree) {
  WITH p, degree WHERE degree > $keep
  MATCH (p)-[:FRIEND]-(s)
  WITH p, s, s.id AS id
  WITH p, s, coalesce(id, s.email) AS key ORDER BY key LIMIT $keep
  WITH p, collect(s) AS kept, max(key) AS last
  CALL (p, last) {
    MATCH (p)-[t:FRIEND_TOP]->(s)
    WITH p, s, collect(t) AS edges
    WITH p, s, edges, s.id AS id
    WITH edges, CASE WHEN coalesce(id, s.email) > last OR NOT EXISTS { (p)-[:FRIEND]-(s) } THEN edges
                     ELSE tail(edges) END AS extra
    FOREACH (t IN extra | DELETE t)
  }
  UNWIND kept AS s
  WITH p, s WHERE NOT EXISTS { (p)-[:FRIEND_TOP]->(s) }
  CREATE (p)-[:FRIEND_TOP]->(s)
}
CALL (p, degree) {
  WITH p, degree WHERE degree <= $keep
  MATCH (p)-[t:FRIEND_TOP]->()
  DELETE t
}
RETURN count(p) AS refreshed
