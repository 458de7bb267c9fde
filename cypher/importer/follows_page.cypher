// Bulk import: person-follows-page edges, merged so a re-run changes nothing. The
// pages' followerCount is not touched here: import/page_counts recomputes it for
// every page the import touched, once, at the end. `imported` marks an edge that
// came in without an event (see check/follow_edges). It carries its `audienceKey`
// (cypher/schema/002_indexes).
UNWIND $rows AS row
MATCH (a:Person {org: $org, id: row.followerId})
MATCH (pg:Page {org: $org, id: row.followingId})
MERGE (a)-[f:FOLLOWS]->(pg)
  ON CREATE SET f.since = coalesce(datetime(row.since), datetime()), f.status = 'active', f.imported = true,
                f.audienceKey = $org + '|page|' + replace(replace(pg.id, '\\', '\\\\'), '|', '\\|') + '|' + a.key
RETURN count(*) AS written
