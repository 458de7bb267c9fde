// Invariant: every active FOLLOWS edge from a person of the org carries the
// `audienceKey` its ends make (cypher/schema/002_indexes: org | person or page |
// the followed person's key or the page's id, `\` and `|` escaped | the follower's
// key), and no other edge carries one: posts/audience reads followers from that key
// alone, so a missing key hides a follower and a stale one lists the wrong people.
CALL () {
  MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p
  UNION
  MATCH (p:Person) WHERE p.org = $org AND p.email IS NOT NULL RETURN p
}
MATCH (p)-[r:FOLLOWS]->(t)
WITH p, r, t, CASE WHEN r.status = 'active' THEN
  $org + CASE WHEN t:Page THEN '|page|' + replace(replace(t.id, '\\', '\\\\'), '|', '\\|')
              ELSE '|person|' + replace(replace(t.key, '\\', '\\\\'), '|', '\\|') END + '|' + p.key END AS want
WHERE coalesce(r.audienceKey, '') <> coalesce(want, '')
RETURN coalesce(p.id, p.email) AS follower, CASE WHEN t:Page THEN 'page' ELSE 'person' END AS kind,
       coalesce(t.id, t.email) AS followed, r.status AS status, r.audienceKey AS audienceKey, want
ORDER BY follower, followed
LIMIT $cap
