// Degrees of separation: the shortest path over accepted connections (FRIEND, so no
// relationship's status is read) of at most $maxDepth hops (1-6). SHORTEST 1 with
// both ends bound searches from both ends at once (bidirectional BFS), so hubs do
// not blow it up. A quantifier's bounds must be literals, and a WHERE on the
// path's length only filters after a search to the largest bound, which costs what
// maxDepth 6 costs whatever was asked: so one branch per depth, and the guard on
// `depth` lets exactly one of them run. `self` says both refs name one person (an id
// and that person's email): depth 0, no search.
OPTIONAL MATCH (x:Person {org: $org, id: $meId})
OPTIONAL MATCH (y:Person {org: $org, email: $meEmail})
WITH coalesce(x, y) AS me
OPTIONAL MATCH (ox:Person {org: $org, id: $otherId})
OPTIONAL MATCH (oy:Person {org: $org, email: $otherEmail})
WITH me, coalesce(ox, oy) AS other
WHERE me IS NOT NULL AND other IS NOT NULL
WITH me, other, me = other AS self, CASE WHEN me = other THEN 0 ELSE $maxDepth END AS depth
OPTIONAL CALL (me, other, depth) {
  WITH me, other WHERE depth = 1
  MATCH p = SHORTEST 1 (me)-[:FRIEND]-{1,1}(other)
  RETURN p
  UNION ALL
  WITH me, other WHERE depth = 2
  MATCH p = SHORTEST 1 (me)-[:FRIEND]-{1,2}(other)
  RETURN p
  UNION ALL
  WITH me, other WHERE depth = 3
  MATCH p = SHORTEST 1 (me)-[:FRIEND]-{1,3}(other)
  RETURN p
  UNION ALL
  WITH me, other WHERE depth = 4
  MATCH p = SHORTEST 1 (me)-[:FRIEND]-{1,4}(other)
  RETURN p
  UNION ALL
  WITH me, other WHERE depth = 5
  MATCH p = SHORTEST 1 (me)-[:FRIEND]-{1,5}(other)
  RETURN p
  UNION ALL
  WITH me, other WHERE depth = 6
  MATCH p = SHORTEST 1 (me)-[:FRIEND]-{1,6}(other)
  RETURN p
}
RETURN self, length(p) AS degree, [n IN nodes(p) | n {.id, .email}] AS path
