// Bulk import: blocks. Like blocks/block, a block removes the follows both ways and
// every connection or request between the two; the follows and connections
// imports skip blocked pairs, so a re-run changes nothing.
UNWIND $rows AS row
MATCH (a:Person {org: $org, id: row.blockerId})
MATCH (b:Person {org: $org, id: row.blockedId})
WHERE a <> b
MERGE (a)-[k:BLOCKS]->(b)
  ON CREATE SET k.since = coalesce(datetime(row.since), datetime())
WITH a, b
CALL (a, b) {
  MATCH (a)-[f:FOLLOWS]-(b)
  DELETE f
}
CALL (a, b) {
  MATCH (a)-[c:CONNECTED]-(b)
  DELETE c
}
CALL (a, b) {
  MATCH (a)-[f:FRIEND]-(b)
  DELETE f
}
RETURN count(*) AS written
