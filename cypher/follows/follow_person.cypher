// `$me` follows the person `$target`. Both were merged and write-locked by
// identity/merge_people in this transaction, so a concurrent identical follow
// waits here and then sees the edge: never two FOLLOWS between the same pair.
// A protected target gets a pending request (`status: 'pending'`) to approve;
// asking again while it is pending changes nothing. An active follow carries its
// `audienceKey` (cypher/schema/002_indexes: org|person|followed key|follower key) and
// `followersKey` (org|person|followed key|since, newest first|follower id else email);
// a pending one the same `followersKey` under `request` instead of `person`.
MATCH (me:Person) WHERE elementId(me) = $me AND me.org = $org
MATCH (t:Person) WHERE elementId(t) = $target AND t.org = $org
OPTIONAL MATCH (me)-[existing:FOLLOWS]->(t)
WITH me, t, existing,
  CASE
    WHEN me = t THEN 'self'
    WHEN existing IS NOT NULL AND existing.status = 'pending' THEN 'pending'
    WHEN existing IS NOT NULL THEN 'exists'
    WHEN EXISTS { (me)-[:BLOCKS]-(t) } THEN 'blocked'
    WHEN COUNT { (me)-[:FOLLOWS]->() } >= $maxFollows THEN 'limit'
    WHEN t.protected = true THEN 'requested'
    ELSE 'created'
  END AS outcome
CALL (me, t, outcome) {
  WITH me, t, outcome, datetime() AS now, replace(replace(t.key, '\\', '\\\\'), '|', '\\|') AS followed
  WHERE outcome IN ['created', 'requested']
  CREATE (me)-[:FOLLOWS {since: now, status: CASE outcome WHEN 'created' THEN 'active' ELSE 'pending' END,
                         audienceKey: CASE outcome WHEN 'created' THEN $org + '|person|' + followed + '|' + me.key END,
                         followersKey: $org + CASE outcome WHEN 'created' THEN '|person|' ELSE '|request|' END
                           + followed + '|' + toString(500000000000000000 - now.epochMillis)
                           + toString(1999999 - now.nanosecond % 1000000) + toString(200000 - now.offsetSeconds)
                           + '|' + coalesce(me.id, me.email)}]->(t)
}
RETURN outcome, {type: 'person', id: t.id, email: t.email, name: null} AS following
