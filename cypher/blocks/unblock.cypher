// `$me` (merged and locked) lifts a block on `$target`. No row: there was none.
MATCH (me:Person) WHERE elementId(me) = $me AND me.org = $org
MATCH (t:Person) WHERE elementId(t) = $target AND t.org = $org
MATCH (me)-[b:BLOCKS]->(t)
DELETE b
RETURN t {.id, .email} AS unblocked
