// Can each viewer see each of their stored posts? One query, one round trip, for a
// list of checks ({viewerId | viewerEmail, postIds}): one viewer with 1 to 1,000 posts
// (the batch endpoint), or the single checks of many callers arriving together (the
// coalesced single endpoint, graphsvc/db/coalesce.py). Per check an index seek for the
// viewer and, when sparse, their lists collected once; per post an index seek, its
// author (only people author posts, so no label test), then the rules; the post's page
// is read only for a post that reaches the page rule.
// Rules (CONTRACT.md): author always; a block either way hides everything; public
// to everyone in the org; private to the author only; connections to accepted
// connections; followers to followers of the author or page, and connections.
//
// Accepted connections are read as FRIEND (no status read); the viewer's size leaves
// FRIEND out, so it counts each connection once.
// A viewer with at most 1,000 relationships (nearly everyone) has their blocks,
// accepted connections and follows collected once, and each post is checked against
// those short lists: on a sparse node every EXISTS subquery walks the whole relationship
// chain for every post, the lists are walked once (docs/performance.md has the figures).
// A denser viewer keeps the per-post EXISTS subquery checks, whose
// Expand(Into) starts from the author's side and whose relationships are grouped by
// type, instead of scanning a list of thousands for every post.
UNWIND range(0, size($checks) - 1) AS k
WITH k, $checks[k] AS ask
OPTIONAL MATCH (x:Person {org: $org, id: ask.viewerId})
OPTIONAL MATCH (y:Person {org: $org, email: ask.viewerEmail})
WITH k, ask.postIds AS postIds, coalesce(x, y) AS v
WITH k, postIds, v, v IS NOT NULL AND COUNT { (v)--() } - COUNT { (v)-[:FRIEND|FRIEND_TOP]-() } <= 1000 AS small
WITH k, postIds, v, small,
     CASE WHEN small THEN COLLECT { MATCH (v)-[:BLOCKS]-(b) RETURN b } END AS blocked,
     CASE WHEN small THEN COLLECT { MATCH (v)-[:FRIEND]-(f) RETURN f } END AS friends,
     CASE WHEN small THEN COLLECT { MATCH (v)-[r:FOLLOWS]->(f) WHERE r.status = 'active' RETURN f } END AS followed,
     CASE WHEN small THEN COLLECT { MATCH (v)-[:MUTES]->(m) RETURN m } END AS muting
UNWIND range(0, size(postIds) - 1) AS i
WITH k, v, small, blocked, friends, followed, muting, i, postIds[i] AS postId
OPTIONAL MATCH (p:Post {org: $org, id: postId})
OPTIONAL MATCH (a)-[:AUTHORED]->(p)
WITH k, i, postId, CASE
    WHEN p IS NULL THEN 'a'
    WHEN v IS NOT NULL AND v = a THEN 'b'
    WHEN v IS NOT NULL AND CASE WHEN small THEN a IN blocked
                                ELSE EXISTS { (v)-[:BLOCKS]-(a) } END THEN 'c'
    WHEN p.visibility = 'public' THEN 'd'
    WHEN p.visibility = 'private' THEN 'e'
    WHEN v IS NULL THEN 'f'
    WHEN CASE WHEN small THEN a IN friends
              ELSE EXISTS { (v)-[:FRIEND]-(a) } END THEN 'g'
    WHEN p.visibility = 'connections' THEN 'h'
    WHEN CASE WHEN small THEN a IN followed ELSE EXISTS { (v)-[r:FOLLOWS]->(a) WHERE r.status = 'active' } END THEN 'i'
    WHEN CASE WHEN small THEN EXISTS { (p)-[:IN_PAGE]->(g:Page) WHERE g IN followed }
              ELSE EXISTS { (p)-[:IN_PAGE]->(g:Page)<-[r:FOLLOWS]-(v) WHERE r.status = 'active' } END THEN 'j'
    ELSE 'k'
  END AS verdict,
  v IS NOT NULL AND a IS NOT NULL AND CASE WHEN small THEN a IN muting
                                       ELSE EXISTS { (v)-[:MUTES]->(a) } END AS muted
// One record per check, its verdicts one letter each in the order asked (the caller
// pairs them with the ids it sent; a check whose string is not as long as its ids is an
// error of that check alone). The letter is the reason: a not_found, b author, c blocked,
// d public, e private, f unknown_viewer, g connection, h not_connected, i follower,
// j page_follower, k not_follower (graphsvc/domain/visibility.REASONS); upper case when
// the viewer mutes the author. The driver decodes one string far faster than lists of
// 1,000 values, which it walks one value at a time in Python.
WITH k, i, CASE WHEN muted THEN toUpper(verdict) ELSE verdict END AS code ORDER BY k, i
WITH k, collect(code) AS codes
RETURN k, reduce(s = '', c IN codes | s + c) AS verdicts
