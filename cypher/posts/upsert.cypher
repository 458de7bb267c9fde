// Register (or re-register) a post the feed will ask about: its author (merged by
// identity/merge_people), its visibility and optionally the page it was posted in.
// Re-registering moves the AUTHORED and IN_PAGE edges to what the call says.
MATCH (a:Person) WHERE elementId(a) = $author AND a.org = $org
OPTIONAL MATCH (pg:Page {org: $org, id: $pageId})
WITH a, pg
WHERE $pageId IS NULL OR pg IS NOT NULL
OPTIONAL MATCH (old:Post {org: $org, id: $postId})
WITH a, pg, old IS NULL AS created
MERGE (p:Post {org: $org, id: $postId})
  ON CREATE SET p.createdAt = datetime()
SET p.visibility = $visibility, p.updatedAt = datetime()
WITH a, pg, p, created
CALL (a, p) {
  OPTIONAL MATCH (other:Person)-[r:AUTHORED]->(p) WHERE other <> a
  DELETE r
}
CALL (pg, p) {
  OPTIONAL MATCH (p)-[r:IN_PAGE]->(other:Page) WHERE pg IS NULL OR other <> pg
  DELETE r
}
MERGE (a)-[:AUTHORED]->(p)
FOREACH (page IN CASE WHEN pg IS NULL THEN [] ELSE [pg] END | MERGE (p)-[:IN_PAGE]->(page))
RETURN created, {id: p.id, authorId: a.id, authorEmail: a.email, visibility: p.visibility,
                 pageId: pg.id, createdAt: toString(p.createdAt), updatedAt: toString(p.updatedAt)} AS post
