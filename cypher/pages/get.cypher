// A page with its follower counter.
MATCH (pg:Page {org: $org, id: $pageId})
RETURN {id: pg.id, name: pg.name, followerCount: pg.followerCount,
        createdAt: toString(pg.createdAt), updatedAt: toString(pg.updatedAt)} AS page
