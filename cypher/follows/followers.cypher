// Who actively follows the acting person (named by $meId or $meEmail), newest first;
// pending follow requests are not followers. The page is sorted by (since desc, id),
// and `$after` (a `_key` of the previous page) continues a walk after that item.
// The page is a range seek in the follows_followers index (cypher/schema/002_indexes):
// an active follow's `followersKey` is <org>|person|<followed key>|<since, newest
// first>|<follower id else email>, so the page order is the keys' order, and a page is
// the keys after `lower` (the person's prefix, or the cursor's item made into a key)
// and below `<prefix>}` ('}' follows '|'), read in order and cut: page 1 and a cursor's
// page cost the same however many followers there are. The total is every incoming
// FOLLOWS (the node's degree, kept by the store) less the pending requests, which are
// the same keys under `request` (check/followers_keys holds each FOLLOWS to a person
// active or pending): no count grows with the followers.
OPTIONAL MATCH (a:Person {org: $org, id: $meId})
OPTIONAL MATCH (b:Person {org: $org, email: $meEmail})
WITH coalesce(a, b) AS me
WITH me, replace(replace(me.key, '\\', '\\\\'), '|', '\\|') AS key,
     CASE WHEN $after IS NULL THEN null ELSE datetime($after[0]) END AS since
WITH me, $org + '|person|' + key AS prefix, $org + '|request|' + key AS requests, since
WITH me, prefix, requests, CASE WHEN since IS NULL THEN prefix + '|' ELSE
       prefix + '|' + toString(500000000000000000 - since.epochMillis) + toString(1999999 - since.nanosecond % 1000000)
       + toString(200000 - since.offsetSeconds) + '|' + $after[1] END AS lower
CALL (me, requests) {
  MATCH ()-[r:FOLLOWS]->(me)
  USING INDEX SEEK r:FOLLOWS(followersKey)
  WHERE r.followersKey > requests + '|' AND r.followersKey < requests + '}'
  RETURN count(r) AS pending
}
WITH me, prefix, lower, CASE WHEN me IS NULL THEN 0 ELSE COUNT { (me)<-[:FOLLOWS]-() } - pending END AS total
CALL (me, prefix, lower) {
  MATCH (f:Person)-[r:FOLLOWS]->(me)
  USING INDEX SEEK r:FOLLOWS(followersKey)
  WHERE r.followersKey > lower AND r.followersKey < prefix + '}'
  WITH f, r ORDER BY r.followersKey
  SKIP $skip LIMIT $limit
  RETURN collect({type: 'person', id: f.id, email: f.email, name: null,
                  followedAt: toString(r.since), _key: [toString(r.since), coalesce(f.id, f.email)]}) AS data
}
RETURN total, data
