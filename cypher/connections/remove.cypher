// Either side withdraws a pending request or removes a connection, by its id.
// A stranger learns nothing: 'not_found', exactly as for an id that never existed.
OPTIONAL MATCH (x:Person {org: $org, id: $meId})
OPTIONAL MATCH (y:Person {org: $org, email: $meEmail})
WITH coalesce(x, y) AS me
MATCH (a:Person)-[c:CONNECTED {id: $id}]->(b:Person)
WHERE c.org = $org
WITH me, a, b, c, me IS NOT NULL AND (me = a OR me = b) AS party,
     {rel: properties(c), requester: a {.id, .email}, target: b {.id, .email}} AS connection,
     CASE WHEN me = a THEN b {.id, .email} ELSE a {.id, .email} END AS other
CALL (c, party) {
  WITH c, party WHERE party
  DELETE c
}
RETURN CASE WHEN party THEN 'ok' ELSE 'not_found' END AS outcome, connection, other
