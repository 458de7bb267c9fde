// `graphsvc check --repair`: make the org's FRIEND relationships equal its accepted
// connections (check/friend_edges): for each person, one FRIEND per accepted
// CONNECTED they requested, pointing the same way, and none of their outgoing FRIEND
// without one. This is the upgrade step (the back-fill) of a store written before
// FRIEND existed. A person found wrong is write-locked, as every write about their
// connections locks them, and read again before anything is changed, so a connection
// accepted or removed by the service meanwhile is not undone. Run as an auto-commit
// query, in transactions of 1,000 people; a second run finds nothing to do.
CALL () {
  MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p
  UNION
  MATCH (p:Person) WHERE p.org = $org AND p.email IS NOT NULL RETURN p
}
CALL (p) {
  WITH p WHERE
    EXISTS { MATCH (p)-[c:CONNECTED]->(o) WHERE c.status = 'accepted' AND COUNT { (p)-[:FRIEND]->(o) } <> 1 }
    OR EXISTS { MATCH (p)-[:FRIEND]->(o) WHERE NOT EXISTS { (p)-[c:CONNECTED]->(o) WHERE c.status = 'accepted' } }
  SET p._lock = true
  REMOVE p._lock
  WITH p
  CALL (p) {
    MATCH (p)-[f:FRIEND]->(o)
    WITH o, collect(f) AS edges, EXISTS { (p)-[c:CONNECTED]->(o) WHERE c.status = 'accepted' } AS wanted
    WITH CASE WHEN wanted THEN tail(edges) ELSE edges END AS extra
    FOREACH (f IN extra | DELETE f)
    RETURN sum(size(extra)) AS removed
  }
  CALL (p) {
    MATCH (p)-[c:CONNECTED]->(o)
    WHERE c.status = 'accepted' AND NOT EXISTS { (p)-[:FRIEND]->(o) }
    WITH DISTINCT p, o
    CREATE (p)-[:FRIEND]->(o)
    RETURN count(*) AS added
  }
  RETURN removed + added AS fixed
} IN TRANSACTIONS OF 1000 ROWS
RETURN sum(fixed) AS fixed
