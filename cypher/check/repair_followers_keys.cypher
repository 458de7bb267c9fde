// `graphsvc check --repair`: give every FOLLOWS edge from a person of the org the
// `followersKey` check/followers_keys wants (set on an active or pending follow of a
// person, removed from any other), in transactions of 1,000 people: the back-fill of a store
// written before the key existed. Each edge found wrong is write-locked and read again
// before it is set, so a follow approved or removed by the service meanwhile is not
// overwritten with what it was before. Run as an auto-commit query (IN TRANSACTIONS);
// a second run finds nothing to do.
CALL () {
  MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p
  UNION
  MATCH (p:Person) WHERE p.org = $org AND p.email IS NOT NULL RETURN p
}
CALL (p) {
  MATCH (p)-[r:FOLLOWS]->(t)
  WITH p, r, t, CASE WHEN r.status IN ['active', 'pending'] AND t:Person THEN
    $org + CASE r.status WHEN 'active' THEN '|person|' ELSE '|request|' END + replace(replace(t.key, '\\', '\\\\'), '|', '\\|') + '|'
    + toString(500000000000000000 - r.since.epochMillis) + toString(1999999 - r.since.nanosecond % 1000000)
    + toString(200000 - r.since.offsetSeconds) + '|' + coalesce(p.id, p.email) END AS want
  WHERE coalesce(r.followersKey, '') <> coalesce(want, '')
  SET r._lock = true
  REMOVE r._lock
  WITH p, r, t
  SET r.followersKey = CASE WHEN r.status IN ['active', 'pending'] AND t:Person THEN
    $org + CASE r.status WHEN 'active' THEN '|person|' ELSE '|request|' END + replace(replace(t.key, '\\', '\\\\'), '|', '\\|') + '|'
    + toString(500000000000000000 - r.since.epochMillis) + toString(1999999 - r.since.nanosecond % 1000000)
    + toString(200000 - r.since.offsetSeconds) + '|' + coalesce(p.id, p.email) END
  RETURN count(r) AS fixed
} IN TRANSACTIONS OF 1000 ROWS
RETURN sum(fixed) AS fixed
