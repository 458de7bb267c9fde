// Mutual accepted connections for a list of asks ({meId | meEmail, otherId | otherEmail,
// skip, limit, after}): one ask per call, or the single lookups of many callers arriving
// together (coalesced, graphsvc/db/coalesce.py); one record per ask whose two people
// exist and differ. Work follows the two people's degrees, never the graph's size.
// Accepted connections are walked as FRIEND, which needs no status read; its degree,
// kept on the node, is the exact number of accepted connections. Two plans, picked by
// the degrees:
// - comparable degrees: walk both people's connections and hash-join them on the
//   mutual friend (deg(a) + deg(b) relationships; figures in docs/performance.md).
// - one side ten times the other (a hub and an ordinary member): walk the smaller
//   side and check each friend against the larger with an Expand(Into), which
//   starts from the friend, so the hub's thousands of connections are never walked.
// Every mutual's key is read to order them; only the page's people are projected. The
// id is read in a step of its own: read inside coalesce(), the planner reads the email
// of every mutual as well, and the email only matters to people without an id.
UNWIND range(0, size($asks) - 1) AS k
WITH k, $asks[k] AS ask
OPTIONAL MATCH (x:Person {org: $org, id: ask.meId})
OPTIONAL MATCH (y:Person {org: $org, email: ask.meEmail})
WITH k, ask, coalesce(x, y) AS me
OPTIONAL MATCH (ox:Person {org: $org, id: ask.otherId})
OPTIONAL MATCH (oy:Person {org: $org, email: ask.otherEmail})
WITH k, ask, me, coalesce(ox, oy) AS other
WHERE me IS NOT NULL AND other IS NOT NULL AND me <> other
CALL (me, other) {
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
  WITH DISTINCT m
  WITH m, m.id AS id
  WITH m, coalesce(id, m.email) AS key ORDER BY key
  RETURN collect([m, key]) AS mutual
}
WITH k, ask, size(mutual) AS total,
     [x IN mutual WHERE ask.after IS NULL OR x[1] > ask.after[0]][ask.skip..ask.skip + ask.limit] AS page
RETURN k, total, [x IN page | {id: x[0].id, email: x[0].email, _key: [x[1]]}] AS data
