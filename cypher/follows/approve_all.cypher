// `$me` (merged and locked) stops being protected: every pending request received
// turns active at once, with its `audienceKey` and `followersKey` (cypher/schema/002_indexes); the
// approved followers are returned, one event each.
MATCH (me:Person) WHERE elementId(me) = $me AND me.org = $org
CALL (me) {
  MATCH (f:Person)-[r:FOLLOWS]->(me)
  WHERE r.status = 'pending'
  WITH f, r, datetime() AS now, $org + '|person|' + replace(replace(me.key, '\\', '\\\\'), '|', '\\|') AS followed
  SET r.status = 'active', r.since = now, r.audienceKey = followed + '|' + f.key,
      r.followersKey = followed + '|' + toString(500000000000000000 - now.epochMillis)
        + toString(1999999 - now.nanosecond % 1000000) + toString(200000 - now.offsetSeconds) + '|' + coalesce(f.id, f.email)
  RETURN collect({id: f.id, email: f.email}) AS followers
}
RETURN followers, {type: 'person', id: me.id, email: me.email, name: null} AS following
