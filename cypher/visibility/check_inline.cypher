// The same rules as visibility/check_stored, for posts the feed service keeps
// itself and describes inline ({id, authorId | authorEmail, visibility, pageId}).
// An author unknown to the graph has no followers or connections here. A viewer
// with at most 1,000 relationships is checked against lists collected once, as in
// visibility/check_stored (which says why).
OPTIONAL MATCH (x:Person {org: $org, id: $viewerId})
OPTIONAL MATCH (y:Person {org: $org, email: $viewerEmail})
WITH coalesce(x, y) AS v
WITH v, v IS NOT NULL AND COUNT { (v)--() } - COUNT { (v)-[:FRIEND|FRIEND_TOP]-() } <= 1000 AS small
WITH v, small,
     CASE WHEN small THEN COLLECT { MATCH (v)-[:BLOCKS]-(b) RETURN b } END AS blocked,
     CASE WHEN small THEN COLLECT { MATCH (v)-[:FRIEND]-(f) RETURN f } END AS friends,
     CASE WHEN small THEN COLLECT { MATCH (v)-[r:FOLLOWS]->(f) WHERE r.status = 'active' RETURN f } END AS followed,
     CASE WHEN small THEN COLLECT { MATCH (v)-[:MUTES]->(m) RETURN m } END AS muting
UNWIND range(0, size($posts) - 1) AS i
WITH v, small, blocked, friends, followed, muting, i, $posts[i] AS post
OPTIONAL MATCH (ax:Person {org: $org, id: post.authorId})
OPTIONAL MATCH (ae:Person {org: $org, email: post.authorEmail})
OPTIONAL MATCH (g:Page {org: $org, id: post.pageId})
WITH v, small, blocked, friends, followed, muting, i, post, coalesce(ax, ae) AS a, g
WITH i, post, CASE
    WHEN v IS NOT NULL AND (v = a OR (a IS NULL AND v.id = post.authorId)) THEN 'b'
    WHEN v IS NOT NULL AND a IS NOT NULL AND CASE WHEN small THEN a IN blocked
                                                  ELSE EXISTS { (v)-[:BLOCKS]-(a) } END THEN 'c'
    WHEN post.visibility = 'public' THEN 'd'
    WHEN post.visibility = 'private' THEN 'e'
    WHEN v IS NULL THEN 'f'
    WHEN a IS NOT NULL AND CASE WHEN small THEN a IN friends
              ELSE EXISTS { (v)-[:FRIEND]-(a) } END THEN 'g'
    WHEN post.visibility = 'connections' THEN 'h'
    WHEN a IS NOT NULL AND CASE WHEN small THEN a IN followed
                                ELSE EXISTS { (v)-[r:FOLLOWS]->(a) WHERE r.status = 'active' } END THEN 'i'
    WHEN g IS NOT NULL AND CASE WHEN small THEN g IN followed
                                ELSE EXISTS { (v)-[r:FOLLOWS]->(g) WHERE r.status = 'active' } END THEN 'j'
    ELSE 'k'
  END AS verdict,
  v IS NOT NULL AND a IS NOT NULL AND CASE WHEN small THEN a IN muting
                                       ELSE EXISTS { (v)-[:MUTES]->(a) } END AS muted
// The verdicts as one letter each, as cypher/visibility/check_stored answers them.
WITH i, CASE WHEN muted THEN toUpper(verdict) ELSE verdict END AS code ORDER BY i
WITH collect(code) AS codes
RETURN reduce(s = '', c IN codes | s + c) AS verdicts
