// `$me` blocks `$target` (both merged and locked): follows both ways and every
// connection or request between them go (with their FRIEND), in this one transaction. Returns what
// was removed so that each removal gets its event.
MATCH (me:Person) WHERE elementId(me) = $me AND me.org = $org
MATCH (t:Person) WHERE elementId(t) = $target AND t.org = $org
OPTIONAL MATCH (me)-[existing:BLOCKS]->(t)
WITH me, t, existing, CASE WHEN me = t THEN 'self' WHEN existing IS NOT NULL THEN 'exists' ELSE 'created' END AS outcome
CALL (me, t, outcome) {
  WITH me, t, outcome WHERE outcome = 'created'
  OPTIONAL MATCH (me)-[f:FOLLOWS]-(t)
  WITH f, startNode(f) AS a, endNode(f) AS b
  DELETE f
  RETURN collect(CASE WHEN f IS NULL THEN null ELSE {from: a {.id, .email}, to: b {.id, .email}} END) AS follows
}
CALL (me, t, outcome) {
  WITH me, t, outcome WHERE outcome = 'created'
  MATCH (me)-[f:FRIEND]-(t)
  DELETE f
}
CALL (me, t, outcome) {
  WITH me, t, outcome WHERE outcome = 'created'
  OPTIONAL MATCH (me)-[c:CONNECTED]-(t)
  WITH c, startNode(c) AS a, endNode(c) AS b
  WITH c, CASE WHEN c IS NULL THEN null
    ELSE {rel: properties(c), requester: a {.id, .email}, target: b {.id, .email}} END AS connection
  DELETE c
  RETURN collect(connection) AS connections
}
CALL (me, t, outcome) {
  WITH me, t, outcome WHERE outcome = 'created'
  CREATE (me)-[:BLOCKS {since: datetime()}]->(t)
}
RETURN outcome, follows, connections, t {.id, .email} AS blocked
