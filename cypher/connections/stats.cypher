// Established connections, requests received and still pending, requests sent and
// still pending: the seed's dashboard figures (total is their sum). The first is
// FRIEND's degree, kept on the node.
OPTIONAL MATCH (x:Person {org: $org, id: $meId})
OPTIONAL MATCH (y:Person {org: $org, email: $meEmail})
WITH coalesce(x, y) AS me
WITH CASE WHEN me IS NULL THEN [0, 0, 0] ELSE [
  COUNT { (me)-[:FRIEND]-() },
  COUNT { (me)<-[c:CONNECTED]-() WHERE c.status = 'pending' },
  COUNT { (me)-[c:CONNECTED]->() WHERE c.status = 'pending' }
] END AS n
RETURN n[0] + n[1] + n[2] AS total, n[0] AS accepted, n[1] AS pending, n[2] AS sent
