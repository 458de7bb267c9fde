// `$me` (merged and locked, with `$follower`) answers a follow: 'approve' turns a
// pending request active; 'reject' deletes a pending request; 'remove' deletes the
// follower's active follow or pending request. No row: there was nothing to answer.
// An approved follow gains its `audienceKey` and `followersKey` (cypher/schema/002_indexes).
MATCH (me:Person) WHERE elementId(me) = $me AND me.org = $org
MATCH (f:Person) WHERE elementId(f) = $follower AND f.org = $org
MATCH (f)-[r:FOLLOWS]->(me)
WHERE r.status = 'pending' OR $action = 'remove'
WITH f, me, r, r.status AS was
CALL (r, f, me) {
  WITH r, f, me, datetime() AS now,
       $org + '|person|' + replace(replace(me.key, '\\', '\\\\'), '|', '\\|') AS followed
  WHERE $action = 'approve'
  SET r.status = 'active', r.since = now, r.audienceKey = followed + '|' + f.key,
      r.followersKey = followed + '|' + toString(500000000000000000 - now.epochMillis)
        + toString(1999999 - now.nanosecond % 1000000) + toString(200000 - now.offsetSeconds) + '|' + coalesce(f.id, f.email)
}
CALL (r) {
  WITH r WHERE $action <> 'approve'
  DELETE r
}
RETURN was, {type: 'person', id: me.id, email: me.email, name: null} AS following,
       {id: f.id, email: f.email} AS follower
