// Register or rename a page. followerCount starts at 0 and is only ever changed
// by follows/follow_page and follows/unfollow.
OPTIONAL MATCH (old:Page {org: $org, id: $pageId})
WITH old IS NULL AS created
MERGE (pg:Page {org: $org, id: $pageId})
  ON CREATE SET pg.followerCount = 0, pg.createdAt = datetime()
SET pg.name = $name, pg.updatedAt = datetime()
RETURN created, {id: pg.id, name: pg.name, followerCount: pg.followerCount,
                 createdAt: toString(pg.createdAt), updatedAt: toString(pg.updatedAt)} AS page
