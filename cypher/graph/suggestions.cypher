// People you may know: friends of friends over accepted connections, excluding
// yourself, anyone you have a live (pending or accepted) connection with either
// way, and anyone blocked either way; ranked by mutual count, then id.
// Hubs are capped: at most $maxFriends of your friends are walked, and at most
// $fanout friends of each, so one celebrity friend cannot make this unbounded.
OPTIONAL MATCH (x:Person {org: $org, id: $meId})
OPTIONAL MATCH (y:Person {org: $org, email: $meEmail})
WITH coalesce(x, y) AS me
WHERE me IS NOT NULL
MATCH (me)-[c1:CONNECTED]-(f:Person)
WHERE c1.status = 'accepted'
WITH me, f LIMIT $maxFriends
CALL (me, f) {
  MATCH (f)-[c2:CONNECTED]-(s:Person)
  WHERE c2.status = 'accepted' AND s <> me
  RETURN s LIMIT $fanout
}
WITH me, s, count(*) AS mutualCount
WHERE NOT EXISTS { (me)-[c:CONNECTED]-(s) WHERE c.liveKey IS NOT NULL }
  AND NOT EXISTS { (me)-[:BLOCKS]-(s) }
WITH s, mutualCount ORDER BY mutualCount DESC, coalesce(s.id, s.email)
WITH collect({user: s {.id, .email}, mutualCount: mutualCount, _key: [mutualCount, coalesce(s.id, s.email)]}) AS ranked
RETURN size(ranked) AS total, [x IN ranked WHERE $after IS NULL OR x.mutualCount < $after[0]
                               OR (x.mutualCount = $after[0] AND x._key[1] > $after[1])][$skip..$skip + $limit] AS data
