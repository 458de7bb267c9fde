// "Followed by A, B and 3 others you know": the people the acting person actively
// follows who actively follow `$otherId` / `$otherEmail`. Walks the acting person's
// follows (capped per member) and checks each against the other person.
OPTIONAL MATCH (x:Person {org: $org, id: $meId})
OPTIONAL MATCH (y:Person {org: $org, email: $meEmail})
WITH coalesce(x, y) AS me
OPTIONAL MATCH (ox:Person {org: $org, id: $otherId})
OPTIONAL MATCH (oy:Person {org: $org, email: $otherEmail})
WITH me, coalesce(ox, oy) AS other
WITH CASE WHEN me IS NULL OR other IS NULL OR me = other THEN [] ELSE COLLECT {
  MATCH (me)-[f1:FOLLOWS]->(p:Person)-[f2:FOLLOWS]->(other)
  WHERE f1.status = 'active' AND f2.status = 'active'
  RETURN p {.id, .email, _key: [coalesce(p.id, p.email)]} AS person ORDER BY coalesce(p.id, p.email)
} END AS everyone
RETURN size(everyone) AS total,
       [x IN everyone WHERE $after IS NULL OR x._key[0] > $after[0]][$skip..$skip + $limit] AS data
