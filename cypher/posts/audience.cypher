// The audience of a post, for fan-out on write: everyone whose feed it belongs in,
// each once, one page at a time in person-key order after `$after` ('' to start).
// public and followers: the author's accepted connections and active followers, and
// the page's active followers; connections: accepted connections only; private:
// nobody. Never the author, anyone with a block either way with the author, or
// anyone who muted the author. Each source gives its first `$limit` people after the
// cursor and the page is the first `$limit` of their union; `rank` picks the reason:
// connection, then follower, then page_follower.
// The two follower sources are range seeks in the follows_audience index
// (cypher/schema/002_indexes): an active follow's `audienceKey` is
// org|person|<author key>|<follower key> or org|page|<page id>|<follower key>, so the
// followers after the cursor are the keys between `<prefix>|<after>` and `<prefix>}`
// ('}' follows '|'), read in order and cut at `$limit`: a page costs the same at any
// depth, however many followers there are. The connections are read whole as FRIEND
// (a hub has ~12,000; no status read) and cut in key order.
MATCH (p:Post {org: $org, id: $postId})
MATCH (a:Person)-[:AUTHORED]->(p)
OPTIONAL MATCH (p)-[:IN_PAGE]->(g:Page)
WITH p, a, g,
     [a] + COLLECT { MATCH (a)-[:BLOCKS]-(b) RETURN b } + COLLECT { MATCH (m)-[:MUTES]->(a) RETURN m } AS excluded
CALL (p, a, g, excluded) {
  MATCH (a)-[:FRIEND]-(u:Person)
  WHERE p.visibility <> 'private' AND u.key > $after AND NOT u IN excluded
  WITH u ORDER BY u.key LIMIT $limit
  RETURN u, 0 AS rank
  UNION ALL
  WITH p, a, excluded, $org + '|person|' + replace(replace(a.key, '\\', '\\\\'), '|', '\\|') AS prefix
  WHERE p.visibility IN ['public', 'followers']
  MATCH (u:Person)-[f:FOLLOWS]->(a)
  USING INDEX SEEK f:FOLLOWS(audienceKey)
  WHERE f.audienceKey > prefix + '|' + $after AND f.audienceKey < prefix + '}'
    AND f.status = 'active' AND NOT u IN excluded
  WITH u, f ORDER BY f.audienceKey LIMIT $limit
  RETURN u, 1 AS rank
  UNION ALL
  WITH p, g, excluded, $org + '|page|' + replace(replace(g.id, '\\', '\\\\'), '|', '\\|') AS prefix
  WHERE p.visibility IN ['public', 'followers'] AND g IS NOT NULL
  MATCH (u:Person)-[f:FOLLOWS]->(g)
  USING INDEX SEEK f:FOLLOWS(audienceKey)
  WHERE f.audienceKey > prefix + '|' + $after AND f.audienceKey < prefix + '}'
    AND f.status = 'active' AND NOT u IN excluded
  WITH u, f ORDER BY f.audienceKey LIMIT $limit
  RETURN u, 2 AS rank
}
WITH u, min(rank) AS rank
ORDER BY u.key
LIMIT $limit
RETURN collect({userId: coalesce(u.id, u.email), reason: ['connection', 'follower', 'page_follower'][rank],
                key: u.key}) AS data
