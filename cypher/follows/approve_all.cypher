// `$me` (merged and locked) stops being protected: every pending request received
// turns active at once, with its `audienceKey` (cypher/schema/002_indexes); the
// approved followers are returned, one event each.
MATCH (me:Person) WHERE elementId(me) = $me AND me.org = $org
CALL (me) {
  MATCH (f:Person)-[r:FOLLOWS]->(me)
  WHERE r.status = 'pending'
  SET r.status = 'active', r.since = datetime(),
      r.audienceKey = $org + '|person|' + replace(replace(me.key, '\\', '\\\\'), '|', '\\|') + '|' + f.key
  RETURN collect({id: f.id, email: f.email}) AS followers
}
RETURN followers, {type: 'person', id: me.id, email: me.email, name: null} AS following
