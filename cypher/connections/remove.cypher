// Either side withdraws a pending request or removes an accepted connection, by its
// id; a rejected request stays as history ('not_live').
// A stranger learns nothing: 'not_found', exactly as for an id that never existed,
// or one a racing call deleted while this one waited for connections/lock_pair's
// locks. Every call answers one row with an outcome. The pair's FRIEND, if the
// connection was accepted, goes with it.
OPTIONAL MATCH (x:Person {org: $org, id: $meId})
OPTIONAL MATCH (y:Person {org: $org, email: $meEmail})
WITH coalesce(x, y) AS me
OPTIONAL MATCH (a:Person)-[c:CONNECTED {id: $id}]->(b:Person)
WHERE c.org = $org
WITH me, a, b, c,
     CASE WHEN c IS NULL OR me IS NULL OR (me <> a AND me <> b) THEN 'not_found'
          WHEN c.liveKey IS NULL THEN 'not_live' ELSE 'ok' END AS outcome,
     {rel: properties(c), requester: a {.id, .email}, target: b {.id, .email}} AS connection,
     CASE WHEN me = a THEN b {.id, .email} ELSE a {.id, .email} END AS other
CALL (a, b, c, outcome) {
  WITH a, b, c, outcome WHERE outcome = 'ok'
  CALL (a, b) {
    MATCH (a)-[f:FRIEND]-(b)
    DELETE f
  }
  DELETE c
}
RETURN outcome, connection, other
