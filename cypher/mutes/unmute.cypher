// `$me` lifts a mute of `$tId` / `$tEmail`. No row: it was not muted.
OPTIONAL MATCH (a:Person {org: $org, id: $meId})
OPTIONAL MATCH (b:Person {org: $org, email: $meEmail})
WITH coalesce(a, b) AS me
OPTIONAL MATCH (tx:Person {org: $org, id: $tId})
OPTIONAL MATCH (ty:Person {org: $org, email: $tEmail})
WITH me, coalesce(tx, ty) AS t
MATCH (me)-[m:MUTES]->(t)
DELETE m
RETURN t {.id, .email} AS unmuted
