// The people the acting person has muted, newest first; `$after` continues a walk.
OPTIONAL MATCH (a:Person {org: $org, id: $meId})
OPTIONAL MATCH (b:Person {org: $org, email: $meEmail})
WITH coalesce(a, b) AS me
WITH me, CASE WHEN me IS NULL THEN 0 ELSE COUNT { (me)-[:MUTES]->() } END AS total
CALL (me) {
  MATCH (me)-[m:MUTES]->(t:Person)
  WHERE true
  AND ($after IS NULL OR m.since < datetime($after[0]) OR (m.since = datetime($after[0]) AND coalesce(t.id, t.email) > $after[1]))
  WITH t, m ORDER BY m.since DESC, coalesce(t.id, t.email)
  SKIP $skip LIMIT $limit
  RETURN collect({id: t.id, email: t.email, mutedAt: toString(m.since),
                  _key: [toString(m.since), coalesce(t.id, t.email)]}) AS data
}
RETURN total, data
