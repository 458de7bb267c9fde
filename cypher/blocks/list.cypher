// The people the acting person blocks, newest first.
OPTIONAL MATCH (x:Person {org: $org, id: $meId})
OPTIONAL MATCH (y:Person {org: $org, email: $meEmail})
WITH coalesce(x, y) AS me
WITH me, CASE WHEN me IS NULL THEN 0 ELSE COUNT { (me)-[:BLOCKS]->() } END AS total
CALL (me) {
  MATCH (me)-[b:BLOCKS]->(t:Person)
  WHERE true
  AND ($after IS NULL OR b.since < datetime($after[0]) OR (b.since = datetime($after[0]) AND coalesce(t.id, t.email) > $after[1]))
  WITH b, t ORDER BY b.since DESC, coalesce(t.id, t.email)
  SKIP $skip LIMIT $limit
  RETURN collect({id: t.id, email: t.email, blockedAt: toString(b.since),
                  _key: [toString(b.since), coalesce(t.id, t.email)]}) AS data
}
RETURN total, data
