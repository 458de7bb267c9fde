// Who and what the acting person follows ($type: 'person', 'page' or null for
// both) with the follow's `$status` ('active', or 'pending' for one's own requests
// to protected people), newest first; `$after` continues a walk after that item.
OPTIONAL MATCH (a:Person {org: $org, id: $meId})
OPTIONAL MATCH (b:Person {org: $org, email: $meEmail})
WITH coalesce(a, b) AS me
WITH me, CASE
  WHEN me IS NULL THEN 0
  WHEN $type = 'person' THEN COUNT { (me)-[r:FOLLOWS]->(:Person) WHERE r.status = $status }
  WHEN $type = 'page' THEN COUNT { (me)-[r:FOLLOWS]->(:Page) WHERE r.status = $status }
  ELSE COUNT { (me)-[r:FOLLOWS]->() WHERE r.status = $status }
END AS total
CALL (me) {
  MATCH (me)-[r:FOLLOWS]->(t)
  WHERE r.status = $status AND ($type IS NULL OR ($type = 'person' AND t:Person) OR ($type = 'page' AND t:Page))
  AND ($after IS NULL OR r.since < datetime($after[0]) OR (r.since = datetime($after[0]) AND coalesce(t.id, t.email) > $after[1]))
  WITH t, r ORDER BY r.since DESC, coalesce(t.id, t.email)
  SKIP $skip LIMIT $limit
  RETURN collect({type: CASE WHEN t:Page THEN 'page' ELSE 'person' END, id: t.id, email: t.email,
                  name: t.name, followedAt: toString(r.since), status: r.status,
                  _key: [toString(r.since), coalesce(t.id, t.email)]}) AS data
}
RETURN total, data
