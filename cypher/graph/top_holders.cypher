// The people of an org whose FRIEND_TOP may need a refresh (cypher/graph/refresh_tops):
// more than $keep friends, or any FRIEND_TOP at all. For bulk writes (imports, the
// offline load, `graphsvc check --repair`), which refresh once at the end.
CALL () {
  MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p
  UNION
  MATCH (p:Person) WHERE p.org = $org AND p.email IS NOT NULL RETURN p
}
WITH p
WHERE COUNT { (p)-[:FRIEND]-() } > $keep OR EXISTS { (p)-[:FRIEND_TOP]->() }
RETURN elementId(p) AS person
