// The acting person's connections with `$status`; `$direction` 'in' (received),
// 'out' (sent) or null (both). Newest change first, tie-broken by id.
OPTIONAL MATCH (x:Person {org: $org, id: $meId})
OPTIONAL MATCH (y:Person {org: $org, email: $meEmail})
WITH coalesce(x, y) AS me
WITH me, CASE WHEN me IS NULL THEN 0 ELSE COUNT {
  (me)-[c:CONNECTED]-()
  WHERE c.status = $status
    AND ($direction IS NULL OR ($direction = 'in') = (endNode(c) = me))
} END AS total
CALL (me) {
  MATCH (me)-[c:CONNECTED]-(other:Person)
  WHERE c.status = $status
    AND ($direction IS NULL OR ($direction = 'in') = (endNode(c) = me))
  WITH c, other, coalesce(c.respondedAt, c.requestedAt) AS at
  WHERE $after IS NULL OR at < datetime($after[0]) OR (at = datetime($after[0]) AND c.id > $after[1])
  WITH c, other, startNode(c) AS a, endNode(c) AS b
  ORDER BY coalesce(c.respondedAt, c.requestedAt) DESC, c.id
  SKIP $skip LIMIT $limit
  RETURN collect({rel: properties(c), requester: a {.id, .email},
                  target: b {.id, .email}, user: other {.id, .email},
                  _key: [toString(coalesce(c.respondedAt, c.requestedAt)), c.id]}) AS data
}
RETURN total, data
