// Mutual accepted connections of two people: work that follows their degrees, never
// the graph's size. Accepted connections are walked as FRIEND, which needs no status
// read; its degree, kept on the node, is the exact number of accepted connections.
// Two plans, picked by the degrees:
// - comparable degrees: walk both people's connections and hash-join them on the
//   mutual friend (deg(a) + deg(b) relationships; figures in docs/performance.md).
// - one side ten times the other (a hub and an ordinary member): walk the smaller
//   side and check each friend against the larger with an Expand(Into), which
//   starts from the friend, so the hub's thousands of connections are never walked.
OPTIONAL MATCH (x:Person {org: $org, id: $meId})
OPTIONAL MATCH (y:Person {org: $org, email: $meEmail})
WITH coalesce(x, y) AS me
OPTIONAL MATCH (ox:Person {org: $org, id: $otherId})
OPTIONAL MATCH (oy:Person {org: $org, email: $otherEmail})
WITH me, coalesce(ox, oy) AS other
WHERE me IS NOT NULL AND other IS NOT NULL AND me <> other
WITH me, other, COUNT { (me)-[:FRIEND]-() } AS meDegree, COUNT { (other)-[:FRIEND]-() } AS otherDegree
WITH CASE WHEN meDegree <= otherDegree THEN [me, other] ELSE [other, me] END AS pair,
     CASE WHEN meDegree <= otherDegree THEN [meDegree, otherDegree] ELSE [otherDegree, meDegree] END AS degrees
WITH pair[0] AS small, pair[1] AS big, degrees[1] <= 10 * degrees[0] AS comparable
CALL (small, big, comparable) {
  WITH small, big WHERE comparable
  MATCH (small)-[:FRIEND]-(m)-[:FRIEND]-(big)
  USING JOIN ON m
  RETURN m
  UNION ALL
  WITH small, big WHERE NOT comparable
  MATCH (small)-[:FRIEND]-(m)
  WHERE m <> big AND EXISTS { (m)-[:FRIEND]-(big) }
  RETURN m
}
WITH DISTINCT m ORDER BY coalesce(m.id, m.email)
WITH collect(m {.id, .email, _key: [coalesce(m.id, m.email)]}) AS mutual
RETURN size(mutual) AS total, [x IN mutual WHERE $after IS NULL OR x._key[0] > $after[0]][$skip..$skip + $limit] AS data
