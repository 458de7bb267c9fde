// Bulk import: posts the feed will ask about, merged on (org, id), with their
// author (by id, must exist: the row is skipped otherwise) and optional page. As
// in posts/upsert, the row says where the AUTHORED and IN_PAGE edges point; the
// properties and edges are only written when they differ, so a re-run changes
// nothing.
UNWIND $rows AS row
MATCH (a:Person {org: $org, id: row.authorId})
OPTIONAL MATCH (pg:Page {org: $org, id: row.pageId})
WITH a, pg, row WHERE row.pageId IS NULL OR pg IS NOT NULL
MERGE (p:Post {org: $org, id: row.id})
  ON CREATE SET p.visibility = row.visibility, p.createdAt = coalesce(datetime(row.createdAt), datetime())
WITH a, pg, p, row
CALL (p, row) {
  WITH p, row WHERE p.visibility <> row.visibility
  SET p.visibility = row.visibility, p.updatedAt = datetime()
}
CALL (a, p) {
  MATCH (other:Person)-[r:AUTHORED]->(p) WHERE other <> a
  DELETE r
}
CALL (pg, p) {
  MATCH (p)-[r:IN_PAGE]->(other:Page) WHERE pg IS NULL OR other <> pg
  DELETE r
}
MERGE (a)-[:AUTHORED]->(p)
FOREACH (page IN CASE WHEN pg IS NULL THEN [] ELSE [pg] END | MERGE (p)-[:IN_PAGE]->(page))
RETURN count(*) AS written
