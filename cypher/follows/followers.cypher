// Who actively follows the acting person (named by $meId or $meEmail), newest first;
// pending follow requests are not followers. The page is sorted by (since desc, id),
// and `$after` (a `_key` of the previous page) continues a walk after that item.
OPTIONAL MATCH (a:Person {org: $org, id: $meId})
OPTIONAL MATCH (b:Person {org: $org, email: $meEmail})
WITH coalesce(a, b) AS me
WITH me, CASE WHEN me IS NULL THEN 0 ELSE COUNT { (me)<-[r:FOLLOWS]-() WHERE r.status = 'active' } END AS total
CALL (me) {
  MATCH (me)<-[r:FOLLOWS]-(f:Person)
  WHERE r.status = 'active'
  AND ($after IS NULL OR r.since < datetime($after[0]) OR (r.since = datetime($after[0]) AND coalesce(f.id, f.email) > $after[1]))
  WITH f, r ORDER BY r.since DESC, coalesce(f.id, f.email)
  SKIP $skip LIMIT $limit
  RETURN collect({type: 'person', id: f.id, email: f.email, name: null,
                  followedAt: toString(r.since), _key: [toString(r.since), coalesce(f.id, f.email)]}) AS data
}
RETURN total, data
