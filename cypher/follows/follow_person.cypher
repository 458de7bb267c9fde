// `$me` follows the person `$target`. Both were merged and write-locked by
// identity/merge_people in this transaction, so a concurrent identical follow
// waits here and then sees the edge: never two FOLLOWS between the same pair.
MATCH (me:Person) WHERE elementId(me) = $me AND me.org = $org
MATCH (t:Person) WHERE elementId(t) = $target AND t.org = $org
OPTIONAL MATCH (me)-[existing:FOLLOWS]->(t)
WITH me, t,
  CASE
    WHEN me = t THEN 'self'
    WHEN existing IS NOT NULL THEN 'exists'
    WHEN EXISTS { (me)-[:BLOCKS]-(t) } THEN 'blocked'
    WHEN COUNT { (me)-[:FOLLOWS]->() } >= $maxFollows THEN 'limit'
    ELSE 'created'
  END AS outcome
CALL (me, t, outcome) {
  WITH me, t, outcome WHERE outcome = 'created'
  CREATE (me)-[:FOLLOWS {since: datetime(), status: 'active'}]->(t)
}
RETURN outcome, {type: 'person', id: t.id, email: t.email, name: null} AS following
