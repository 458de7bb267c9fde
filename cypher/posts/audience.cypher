// The audience of a post, for fan-out on write: everyone whose feed it belongs in,
// each once, one page at a time in person-key order after `$after` ('' to start).
// public and followers: the author's accepted connections and active followers, and
// the page's active followers; connections: accepted connections only; private:
// nobody. Never the author, anyone with a block either way with the author, or
// anyone who muted the author. Each source gives its first `$limit` people after the
// cursor and the page is the first `$limit` of their union, so a page costs the same
// at any depth; `rank` picks the reason: connection, then follower, then page_follower.
MATCH (p:Post {org: $org, id: $postId})
MATCH (a:Person)-[:AUTHORED]->(p)
OPTIONAL MATCH (p)-[:IN_PAGE]->(g:Page)
WITH p, a, g,
     [a] + COLLECT { MATCH (a)-[:BLOCKS]-(b) RETURN b } + COLLECT { MATCH (m)-[:MUTES]->(a) RETURN m } AS excluded
CALL (p, a, g, excluded) {
  MATCH (a)-[c:CONNECTED]-(u:Person)
  WHERE p.visibility <> 'private' AND c.status = 'accepted' AND u.key > $after AND NOT u IN excluded
  WITH u ORDER BY u.key LIMIT $limit
  RETURN u, 0 AS rank
  UNION ALL
  MATCH (a)<-[f:FOLLOWS]-(u:Person)
  WHERE p.visibility IN ['public', 'followers'] AND f.status = 'active' AND u.key > $after AND NOT u IN excluded
  WITH u ORDER BY u.key LIMIT $limit
  RETURN u, 1 AS rank
  UNION ALL
  MATCH (g)<-[f:FOLLOWS]-(u:Person)
  WHERE p.visibility IN ['public', 'followers'] AND f.status = 'active' AND u.key > $after AND NOT u IN excluded
  WITH u ORDER BY u.key LIMIT $limit
  RETURN u, 2 AS rank
}
WITH u, min(rank) AS rank
ORDER BY u.key
LIMIT $limit
RETURN collect({userId: coalesce(u.id, u.email), reason: ['connection', 'follower', 'page_follower'][rank],
                key: u.key}) AS data
