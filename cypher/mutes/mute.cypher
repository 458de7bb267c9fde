// `$me` (merged and locked, with `$target`) mutes `$target`: a private feed preference
// that changes no follow or connection. `created` is false when it was already muted.
MATCH (me:Person) WHERE elementId(me) = $me AND me.org = $org
MATCH (t:Person) WHERE elementId(t) = $target AND t.org = $org
OPTIONAL MATCH (me)-[existing:MUTES]->(t)
WITH me, t, existing,
  CASE WHEN me = t THEN 'self' WHEN existing IS NOT NULL THEN 'exists' ELSE 'created' END AS outcome
CALL (me, t, outcome) {
  WITH me, t, outcome WHERE outcome = 'created'
  CREATE (me)-[:MUTES {since: datetime()}]->(t)
}
RETURN outcome, t {.id, .email} AS muted
