// FRIEND_TOP is exactly what cypher/graph/refresh_tops keeps: from each person with
// more than $keep friends, one to each of the $keep friends with the smallest keys,
// and none from anyone else.
CALL () {
  MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p
  UNION
  MATCH (p:Person) WHERE p.org = $org AND p.email IS NOT NULL RETURN p
}
WITH p, COUNT { (p)-[:FRIEND]-() } AS degree
WHERE degree > $keep OR EXISTS { (p)-[:FRIEND_TOP]->() }
WITH p, degree,
     CASE WHEN degree > $keep THEN COLLECT {
       MATCH (p)-[:FRIEND]-(s) WITH s.id AS id, s.email AS email
       WITH coalesce(id, email) AS key ORDER BY key LIMIT $keep RETURN key
     } ELSE [] END AS wanted,
     COLLECT {
       MATCH (p)-[:FRIEND_TOP]->(s) WITH s.id AS id, s.email AS email
       WITH coalesce(id, email) AS key ORDER BY key RETURN key
     } AS kept
WHERE wanted <> kept
RETURN coalesce(p.id, p.email) AS person, degree, size(kept) AS kept,
       size([k IN kept WHERE NOT k IN wanted]) AS extra, size([k IN wanted WHERE NOT k IN kept]) AS missing
ORDER BY person
LIMIT $cap
