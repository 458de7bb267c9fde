// Invariant: every active FOLLOWS edge from a person of the org to a person carries the
// `followersKey` its ends and `since` make (cypher/schema/002_indexes: org | person |
// the followed person's key, `\` and `|` escaped | since, newest first, as fixed-width
// digits | the follower's id, else email), a pending one the same under `request`, and
// no other edge carries one; and every FOLLOWS to a person is active or pending.
// follows/followers lists a person's followers from that key alone and counts them as
// all incoming FOLLOWS less the `request` range, so a missing key hides a follower and
// a stale one lists them out of order or twice.
CALL () {
  MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p
  UNION
  MATCH (p:Person) WHERE p.org = $org AND p.email IS NOT NULL RETURN p
}
MATCH (p)-[r:FOLLOWS]->(t)
WITH p, r, t, CASE WHEN r.status IN ['active', 'pending'] AND t:Person THEN
  $org + CASE r.status WHEN 'active' THEN '|person|' ELSE '|request|' END + replace(replace(t.key, '\\', '\\\\'), '|', '\\|') + '|'
  + toString(500000000000000000 - r.since.epochMillis) + toString(1999999 - r.since.nanosecond % 1000000)
  + toString(200000 - r.since.offsetSeconds) + '|' + coalesce(p.id, p.email) END AS want
WHERE coalesce(r.followersKey, '') <> coalesce(want, '')
   OR (t:Person AND NOT coalesce(r.status, '') IN ['active', 'pending'])
RETURN coalesce(p.id, p.email) AS follower, CASE WHEN t:Page THEN 'page' ELSE 'person' END AS kind,
       coalesce(t.id, t.email) AS followed, r.status AS status, r.followersKey AS followersKey, want
ORDER BY follower, followed
LIMIT $cap
