// title: Most-followed people
// description: Members ranked by how many people follow them.
// param: limit (int, default 10): how many people to list
// People are found by index seeks on (org, id), and (org, email) for those known only
// by email; people nobody follows are left out.
CALL () {
  MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p
  UNION
  MATCH (p:Person) WHERE p.org = $org AND p.email IS NOT NULL AND p.id IS NULL RETURN p
}
WITH p, COUNT { (:Person)-[f:FOLLOWS]->(p) WHERE f.status = 'active' } AS followers
WHERE followers > 0
RETURN p.id AS userId, p.email AS email, followers
ORDER BY followers DESC, coalesce(userId, email)
LIMIT $limit
