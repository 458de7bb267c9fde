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
    WHEN v IS NOT NULL AND (v = a OR (a IS NULL AND v.id = post.authorId)) THEN [true, 'author']
    WHEN v IS NOT NULL AND a IS NOT NULL AND CASE WHEN small THEN a IN blocked
                                                  ELSE EXISTS { (v)-[:BLOCKS]-(a) } END THEN [false, 'blocked']
    WHEN post.visibility = 'public' THEN [true, 'public']
    WHEN post.visibility = 'private' THEN [false, 'private']
    WHEN v IS NULL THEN [false, 'unknown_viewer']
    WHEN a IS NOT NULL AND CASE WHEN small THEN a IN friends
              ELSE EXISTS { (v)-[:FRIEND]-(a) } END THEN [true, 'connection']
    WHEN post.visibility = 'connections' THEN [false, 'not_connected']
    WHEN a IS NOT NULL AND CASE WHEN small THEN a IN followed
                                ELSE EXISTS { (v)-[r:FOLLOWS]->(a) WHERE r.status = 'active' } END THEN [true, 'follower']
    WHEN g IS NOT NULL AND CASE WHEN small THEN g IN followed
                                ELSE EXISTS { (v)-[r:FOLLOWS]->(g) WHERE r.status = 'active' } END THEN [true, 'page_follower']
    ELSE [false, 'not_follower']
  END AS verdict,
  v IS NOT NULL AND a IS NOT NULL AND CASE WHEN small THEN a IN muting
                                       ELSE EXISTS { (v)-[:MUTES]->(a) } END AS muted
WITH i, verdict, muted ORDER BY i
RETURN collect(verdict[0]) AS visible, collect(verdict[1]) AS reasons, collect(muted) AS muted
