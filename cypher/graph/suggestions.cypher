// People you may know: friends of friends over accepted connections, excluding
// yourself, anyone you have a live (pending or accepted) connection with either
// way, and anyone blocked either way; ranked by mutual count, then key.
// "Key" is a person's id, or their email when they have no id, compared by
// character code (as PostgreSQL's "C" collation does).
// Hubs are capped, in a fixed order so that the same graph always gives the same
// suggestions whatever order its relationships were stored in:
// - of your friends, the $maxFriends with the smallest keys are walked;
// - of each friend's friends (you left out), the $fanout with the smallest keys count.
// A hub's smallest keys are kept as FRIEND_TOP (cypher/graph/refresh_tops: the
// TOP_FRIENDS smallest of anyone with more friends, graphsvc/domain/graph.py), so where a
// cap binds and the kept ones are more than the cap, only they are read and sorted: the
// cap's smallest, you left out, are among them. Otherwise every friend's key is read.
// Accepted connections are walked as FRIEND (no status read). Ordering costs a read
// of every neighbour's key, so it is paid only where a cap can bind: when the
// person's FRIEND degree (kept on the node: exactly their accepted connections) is
// above the cap. Below it, every friend is taken, which is the same answer. FRIEND
// joins people only, so the far end needs no label check.
// The exclusions: for a person with at most 200 connections and blocks, their live
// connections and blocks are collected once and each candidate is looked up in that
// list, where two EXISTS subqueries per candidate cost several times the db hits
// (docs/performance.md). Above that (hubs), a list that long would be scanned for each
// of up to a million candidates, so each keeps its own EXISTS checks.
// A key is read as the id alone first, the email only when there is no id (inside one
// coalesce() the planner reads both for every neighbour), and only the page's people
// are projected.
OPTIONAL MATCH (x:Person {org: $org, id: $meId})
OPTIONAL MATCH (y:Person {org: $org, email: $meEmail})
WITH coalesce(x, y) AS me
WHERE me IS NOT NULL
WITH me, COUNT { (me)-[:CONNECTED|BLOCKS]-() } <= 200 AS small
WITH me, small, CASE WHEN small THEN COLLECT { MATCH (me)-[c:CONNECTED]-(x) WHERE c.liveKey IS NOT NULL RETURN x }
                                     + COLLECT { MATCH (me)-[:BLOCKS]-(x) RETURN x } END AS excluded
CALL (me) {
  CALL (me) {
    WITH me WHERE COUNT { (me)-[:FRIEND]-() } <= $maxFriends
    MATCH (me)-[:FRIEND]-(f)
    RETURN f
    UNION ALL
    WITH me WHERE COUNT { (me)-[:FRIEND]-() } > $maxFriends
    CALL (me) {
      WITH me WHERE COUNT { (me)-[:FRIEND_TOP]->() } > $maxFriends
      MATCH (me)-[:FRIEND_TOP]->(f)
      RETURN f
      UNION ALL
      WITH me WHERE COUNT { (me)-[:FRIEND_TOP]->() } <= $maxFriends
      MATCH (me)-[:FRIEND]-(f)
      RETURN f
    }
    WITH f, f.id AS id
    WITH f ORDER BY coalesce(id, f.email) LIMIT $maxFriends
    RETURN f
  }
  CALL (me, f) {
    WITH me, f WHERE COUNT { (f)-[:FRIEND]-() } <= $fanout
    MATCH (f)-[:FRIEND]-(s)
    WHERE s <> me
    RETURN s
    UNION ALL
    WITH me, f WHERE COUNT { (f)-[:FRIEND]-() } > $fanout
    CALL (f) {
      WITH f WHERE COUNT { (f)-[:FRIEND_TOP]->() } > $fanout
      MATCH (f)-[:FRIEND_TOP]->(s)
      RETURN s
      UNION ALL
      WITH f WHERE COUNT { (f)-[:FRIEND_TOP]->() } <= $fanout
      MATCH (f)-[:FRIEND]-(s)
      RETURN s
    }
    WITH me, s WHERE s <> me
    WITH s, s.id AS id
    WITH s ORDER BY coalesce(id, s.email) LIMIT $fanout
    RETURN s
  }
  RETURN s, count(*) AS mutualCount
}
WITH me, s, mutualCount
WHERE CASE WHEN small THEN NOT s IN excluded
           ELSE NOT EXISTS { (me)-[c:CONNECTED]-(s) WHERE c.liveKey IS NOT NULL }
                AND NOT EXISTS { (me)-[:BLOCKS]-(s) } END
WITH s, mutualCount, s.id AS id
WITH s, mutualCount, coalesce(id, s.email) AS key ORDER BY mutualCount DESC, key
WITH collect([s, mutualCount, key]) AS ranked
RETURN size(ranked) AS total,
       [x IN [x IN ranked WHERE $after IS NULL OR x[1] < $after[0] OR (x[1] = $after[0] AND x[2] > $after[1])]
                [$skip..$skip + $limit]
        | {user: {id: x[0].id, email: x[0].email}, mutualCount: x[1], _key: [x[1], x[2]]}] AS data
