// `$me` (merged and locked, with `$follower`) answers a follow: 'approve' turns a
// pending request active; 'reject' deletes a pending request; 'remove' deletes the
// follower's active follow or pending request. No row: there was nothing to answer.
// An approved follow gains its `audienceKey` (cypher/schema/002_indexes).
MATCH (me:Person) WHERE elementId(me) = $me AND me.org = $org
MATCH (f:Person) WHERE elementId(f) = $follower AND f.org = $org
MATCH (f)-[r:FOLLOWS]->(me)
WHERE r.status = 'pending' OR $action = 'remove'
WITH f, me, r, r.status AS was
CALL (r, f, me) {
  WITH r, f, me WHERE $action = 'approve'
  SET r.status = 'active', r.since = datetime(),
      r.audienceKey = $org + '|person|' + replace(replace(me.key, '\\', '\\\\'), '|', '\\|') + '|' + f.key
}
CALL (r) {
  WITH r WHERE $action <> 'approve'
  DELETE r
}
RETURN was, {type: 'person', id: me.id, email: me.email, name: null} AS following,
       {id: f.id, email: f.email} AS follower
