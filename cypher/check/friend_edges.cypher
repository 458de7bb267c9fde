// Invariant: the FRIEND relationships of the org are exactly its accepted
// connections: one FRIEND per accepted CONNECTED, from its requester to its target,
// and no other. Traversals over accepted connections read FRIEND alone, so a missing
// one hides a friend and an extra one invents one. `from` and `to` name the pair as
// the accepted connection points (as the FRIEND points, for an extra one).
CALL () {
  MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p
  UNION
  MATCH (p:Person) WHERE p.org = $org AND p.email IS NOT NULL RETURN p
}
CALL (p) {
  MATCH (p)-[c:CONNECTED]->(o)
  WHERE c.status = 'accepted'
  WITH p, o, COUNT { (p)-[:FRIEND]->(o) } AS forward, COUNT { (o)-[:FRIEND]->(p) } AS backward
  WHERE forward <> 1 OR backward > 0
  RETURN p AS a, o AS b, CASE WHEN forward = 0 AND backward = 0 THEN 'missing'
                              WHEN forward = 0 THEN 'wrong_direction' ELSE 'duplicate' END AS problem
  UNION
  MATCH (p)-[:FRIEND]->(o)
  WHERE NOT EXISTS { (p)-[c:CONNECTED]-(o) WHERE c.status = 'accepted' }
  RETURN p AS a, o AS b, 'extra' AS problem
}
WITH DISTINCT coalesce(a.id, a.email) AS from, coalesce(b.id, b.email) AS to, problem
RETURN from, to, problem
ORDER BY from, to, problem
LIMIT $cap
