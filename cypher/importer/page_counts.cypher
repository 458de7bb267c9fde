// After an import: make each touched page's followerCount equal its incoming
// FOLLOWS count (read from the degree store). A page whose counter is already
// right is not written at all (a re-run changes nothing); one that is off is
// write-locked first, the lock an API follow takes too, and then recounted, so a
// follow committing meanwhile is not lost.
UNWIND $pageIds AS id
MATCH (pg:Page {org: $org, id: id})
WITH pg WHERE pg.followerCount IS NULL OR pg.followerCount <> COUNT { (pg)<-[:FOLLOWS]-() }
SET pg._lock = true
REMOVE pg._lock
WITH pg
SET pg.followerCount = COUNT { (pg)<-[:FOLLOWS]-() }
RETURN count(*) AS written
