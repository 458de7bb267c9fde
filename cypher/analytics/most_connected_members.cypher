// title: Most-connected members
// description: Members ranked by their number of accepted connections (either side of
//   the request).
// param: limit (int, default 10): how many members to list
// People are found by index seeks on (org, id), and (org, email) for those known only
// by email; members with no accepted connection are left out.
CALL () {
  MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p
  UNION
  MATCH (p:Person) WHERE p.org = $org AND p.email IS NOT NULL AND p.id IS NULL RETURN p
}
WITH p, COUNT { (p)-[c:CONNECTED]-(:Person) WHERE c.status = 'accepted' AND c.org = $org } AS connections
WHERE connections > 0
RETURN p.id AS userId, p.email AS email, connections
ORDER BY connections DESC, coalesce(userId, email)
LIMIT $limit
