// Invariant: a page's followerCount equals the FOLLOWS edges into it. Pages of the
// org come from the (org, id) index; each count is a degree lookup.
MATCH (pg:Page)
WHERE pg.org = $org AND pg.id IS NOT NULL
WITH pg, COUNT { (pg)<-[:FOLLOWS]-() } AS edges
WHERE pg.followerCount IS NULL OR pg.followerCount <> edges
RETURN pg.id AS page, pg.followerCount AS counter, edges
ORDER BY page LIMIT $cap
