// Mutual accepted connections of two people. The walk starts from whichever of
// the two has fewer connections, and each candidate is checked against the other
// with an Expand(Into), so the cost follows the smaller degree, not graph size.
OPTIONAL MATCH (x:Person {org: $org, id: $meId})
OPTIONAL MATCH (y:Person {org: $org, email: $meEmail})
WITH coalesce(x, y) AS me
OPTIONAL MATCH (ox:Person {org: $org, id: $otherId})
OPTIONAL MATCH (oy:Person {org: $org, email: $otherEmail})
WITH me, coalesce(ox, oy) AS other
WHERE me IS NOT NULL AND other IS NOT NULL AND me <> other
WITH CASE WHEN COUNT { (me)-[:CONNECTED]-() } <= COUNT { (other)-[:CONNECTED]-() }
          THEN [me, other] ELSE [other, me] END AS pair
WITH pair[0] AS small, pair[1] AS big
MATCH (small)-[c1:CONNECTED]-(m:Person)
WHERE c1.status = 'accepted' AND m <> big
  AND EXISTS { (m)-[c2:CONNECTED]-(big) WHERE c2.status = 'accepted' }
WITH DISTINCT m ORDER BY coalesce(m.id, m.email)
WITH collect(m {.id, .email}) AS mutual
RETURN size(mutual) AS total, mutual[$skip..$skip + $limit] AS data
