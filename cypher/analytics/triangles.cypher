// title: Triangles of accepted connections
// description: Members ranked by the number of triangles they close (pairs of their
//   connections who are also connected to each other), with their number of
//   connections and local clustering coefficient (triangles ÷ possible pairs).
// param: limit (int, default 20): how many members to list
// People are found by index seeks on (org, id), and (org, email) for those known only
// by email; members in no triangle are left out.
CALL () {
  MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p
  UNION
  MATCH (p:Person) WHERE p.org = $org AND p.email IS NOT NULL AND p.id IS NULL RETURN p
}
WITH p, COUNT {
  MATCH (p)-[a:CONNECTED]-(x:Person)-[b:CONNECTED]-(y:Person)-[c:CONNECTED]-(p)
  WHERE a.status = 'accepted' AND b.status = 'accepted' AND c.status = 'accepted'
    AND a.org = $org AND b.org = $org AND c.org = $org AND elementId(x) < elementId(y)
} AS triangles
WHERE triangles > 0
WITH p, triangles, COUNT { (p)-[c:CONNECTED]-(:Person) WHERE c.status = 'accepted' AND c.org = $org } AS connections
RETURN p.id AS userId, p.email AS email, triangles, connections,
       round(2.0 * triangles / (connections * (connections - 1)), 4) AS clustering
ORDER BY triangles DESC, coalesce(userId, email)
LIMIT $limit
