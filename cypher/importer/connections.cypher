// Bulk import: connections and requests. Each row carries a deterministic id (from
// the input, or a hash of org, both people and requestedAt made by the importer),
// and the edge is merged on it, so a re-run changes nothing. liveKey is set for
// pending and accepted rows exactly as connections/request sets it. A live row is
// skipped when the pair already has another live connection or a block stands
// between them (the importer also keeps only the first live row per pair).
// `imported` marks an edge that came in without an event (see check/connection_edges).
// An accepted one gets its FRIEND (requester -> target), once however often it is run.
UNWIND $rows AS row
MATCH (a:Person {org: $org, id: row.requesterId})
MATCH (b:Person {org: $org, id: row.targetId})
WITH a, b, row, row.status IN ['pending', 'accepted'] AS live
WHERE a <> b AND NOT EXISTS { (a)-[:BLOCKS]-(b) }
  AND (NOT live OR NOT EXISTS { (a)-[l:CONNECTED]-(b) WHERE l.liveKey IS NOT NULL AND l.id <> row.id })
MERGE (a)-[c:CONNECTED {id: row.id}]->(b)
  ON CREATE SET c.org = $org, c.status = row.status, c.imported = true,
    c.liveKey = CASE WHEN live THEN CASE WHEN a.key < b.key THEN a.key + ':' + b.key
                                         ELSE b.key + ':' + a.key END END,
    c.message = row.message, c.context = row.context,
    c.requestedAt = coalesce(datetime(row.requestedAt), datetime()),
    c.respondedAt = CASE WHEN row.status = 'pending' THEN null
                         ELSE coalesce(datetime(row.respondedAt), datetime(row.requestedAt), datetime()) END
WITH a, b, c
CALL (a, b, c) {
  WITH a, b, c WHERE c.status = 'accepted' AND NOT EXISTS { (a)-[:FRIEND]->(b) }
  CREATE (a)-[:FRIEND]->(b)
}
RETURN count(*) AS written
