// `graphsvc check --repair`: give every FOLLOWS edge from a person of the org the
// `audienceKey` check/audience_keys wants (set on an active follow, removed from any
// other), in transactions of 1,000 people: the back-fill of a store written before the
// key existed (about 900,000 follows of a 100,000-person org in one run). Each edge
// found wrong is write-locked and read again before it is set, so a follow approved
// or removed by the service meanwhile is not overwritten with what it was before.
// Run as an auto-commit query (IN TRANSACTIONS); a second run finds nothing to do.
CALL () {
  MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p
  UNION
  MATCH (p:Person) WHERE p.org = $org AND p.email IS NOT NULL RETURN p
}
CALL (p) {
  MATCH (p)-[r:FOLLOWS]->(t)
  WITH p, r, t, CASE WHEN r.status = 'active' THEN
    $org + CASE WHEN t:Page THEN '|page|' + replace(replace(t.id, '\\', '\\\\'), '|', '\\|')
                ELSE '|person|' + replace(replace(t.key, '\\', '\\\\'), '|', '\\|') END + '|' + p.key END AS want
  WHERE coalesce(r.audienceKey, '') <> coalesce(want, '')
  SET r._lock = true
  REMOVE r._lock
  WITH p, r, t
  SET r.audienceKey = CASE WHEN r.status = 'active' THEN
    $org + CASE WHEN t:Page THEN '|page|' + replace(replace(t.id, '\\', '\\\\'), '|', '\\|')
                ELSE '|person|' + replace(replace(t.key, '\\', '\\\\'), '|', '\\|') END + '|' + p.key END
  RETURN count(r) AS fixed
} IN TRANSACTIONS OF 1000 ROWS
RETURN sum(fixed) AS fixed
