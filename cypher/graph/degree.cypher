// Degrees of separation over accepted connections, at most 3 hops. shortestPath
// searches from both ends at once (bidirectional BFS), and the status predicate
// on every relationship is applied during the search, so hubs do not blow it up.
OPTIONAL MATCH (x:Person {org: $org, id: $meId})
OPTIONAL MATCH (y:Person {org: $org, email: $meEmail})
WITH coalesce(x, y) AS me
OPTIONAL MATCH (ox:Person {org: $org, id: $otherId})
OPTIONAL MATCH (oy:Person {org: $org, email: $otherEmail})
WITH me, coalesce(ox, oy) AS other
WHERE me IS NOT NULL AND other IS NOT NULL AND me <> other
MATCH p = shortestPath((me)-[:CONNECTED*..3]-(other))
WHERE all(r IN relationships(p) WHERE r.status = 'accepted')
RETURN length(p) AS degree, [n IN nodes(p) | n {.id, .email}] AS path
