// People you may know: friends of friends over accepted connections, excluding
// yourself, anyone you have a live (pending or accepted) connection with either
// way, and anyone blocked either way; ranked by mutual count, then key.
// "Key" is a person's id, or their email when they have no id, compared by
// character code (as PostgreSQL's "C" collation does).
// Hubs are capped, in a fixed order so that the same graph always gives the same
// suggestions whatever order its relationships were stored in:
// - of your friends, the $maxFriends with the smallest keys are walked;
// - of each friend's friends (you left out), the $fanout with the smallest keys count.
// Ordering costs a read of every neighbour's key, so it is paid only where a cap
// can bind: when the person's CONNECTED degree (a count kept on the node, any
// status) is above the cap. Below it, every accepted friend is taken, which is
// the same answer. CONNECTED joins people only, so the far end needs no label check.
OPTIONAL MATCH (x:Person {org: $org, id: $meId})
OPTIONAL MATCH (y:Person {org: $org, email: $meEmail})
WITH coalesce(x, y) AS me
WHERE me IS NOT NULL
CALL (me) {
  WITH me WHERE COUNT { (me)-[:CONNECTED]-() } <= $maxFriends
  MATCH (me)-[c1:CONNECTED]-(f)
  WHERE c1.status = 'accepted'
  RETURN f
  UNION ALL
  WITH me WHERE COUNT { (me)-[:CONNECTED]-() } > $maxFriends
  MATCH (me)-[c1:CONNECTED]-(f)
  WHERE c1.status = 'accepted'
  WITH f ORDER BY coalesce(f.id, f.email) LIMIT $maxFriends
  RETURN f
}
CALL (me, f) {
  WITH me, f WHERE COUNT { (f)-[:CONNECTED]-() } <= $fanout
  MATCH (f)-[c2:CONNECTED]-(s)
  WHERE c2.status = 'accepted' AND s <> me
  RETURN s
  UNION ALL
  WITH me, f WHERE COUNT { (f)-[:CONNECTED]-() } > $fanout
  MATCH (f)-[c2:CONNECTED]-(s)
  WHERE c2.status = 'accepted' AND s <> me
  WITH s ORDER BY coalesce(s.id, s.email) LIMIT $fanout
  RETURN s
}
WITH me, s, count(*) AS mutualCount
WHERE NOT EXISTS { (me)-[c:CONNECTED]-(s) WHERE c.liveKey IS NOT NULL }
  AND NOT EXISTS { (me)-[:BLOCKS]-(s) }
WITH s, mutualCount ORDER BY mutualCount DESC, coalesce(s.id, s.email)
WITH collect({user: s {.id, .email}, mutualCount: mutualCount, _key: [mutualCount, coalesce(s.id, s.email)]}) AS ranked
RETURN size(ranked) AS total, [x IN ranked WHERE $after IS NULL OR x.mutualCount < $after[0]
                               OR (x.mutualCount = $after[0] AND x._key[1] > $after[1])][$skip..$skip + $limit] AS data
