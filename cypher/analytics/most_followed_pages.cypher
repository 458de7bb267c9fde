// title: Most-followed pages
// description: The org's pages ranked by how many people follow them (counted from the
//   FOLLOWS edges), with the page's maintained followerCount beside it.
// param: limit (int, default 10): how many pages to list
// Starts from an index seek on Page(org, id); pages nobody follows are left out.
MATCH (pg:Page) WHERE pg.org = $org AND pg.id IS NOT NULL
WITH pg, COUNT { (:Person)-[f:FOLLOWS]->(pg) WHERE f.status = 'active' } AS followers
WHERE followers > 0
RETURN pg.id AS pageId, pg.name AS name, followers, pg.followerCount AS followerCount
ORDER BY followers DESC, pageId
LIMIT $limit
