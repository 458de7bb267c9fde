// Find a connection of this org by id and write-lock its two people in key order,
// the same locks identity/merge_people takes: every write about one pair is
// serialised, whichever call makes it.
// The edge is read here before the locks are taken, so this answer is only a hint
// (no row: no such edge); the statement that follows, run once the locks are held,
// reads the latest committed state and may find the edge gone.
MATCH (a:Person)-[c:CONNECTED {id: $id}]->(b:Person)
WHERE c.org = $org
CALL (a, b) {
  UNWIND CASE WHEN a.key < b.key THEN [a, b] ELSE [b, a] END AS p
  SET p._lock = true
  REMOVE p._lock
}
RETURN [elementId(a), elementId(b)] AS people
