// Who follows the acting person (named by $meId or $meEmail), newest first.
// total comes from the degree store; the page is sorted by (since desc, id).
OPTIONAL MATCH (a:Person {org: $org, id: $meId})
OPTIONAL MATCH (b:Person {org: $org, email: $meEmail})
WITH coalesce(a, b) AS me
WITH me, CASE WHEN me IS NULL THEN 0 ELSE COUNT { (me)<-[:FOLLOWS]-() } END AS total
CALL (me) {
  MATCH (me)<-[r:FOLLOWS]-(f:Person)
  WITH f, r ORDER BY r.since DESC, coalesce(f.id, f.email)
  SKIP $skip LIMIT $limit
  RETURN collect({type: 'person', id: f.id, email: f.email, name: null,
                  followedAt: toString(r.since)}) AS data
}
RETURN total, data
