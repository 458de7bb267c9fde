// Bulk import: person-follows-person edges. Both ends are found by index seek on
// (org, id); rows naming an unknown person, a self-follow or a blocked pair are
// skipped (counted by the caller as rows in minus rows written). MERGE makes a
// re-run change nothing. `status` is active, or pending for a request to a protected person;
// `imported` marks an edge that came in without an event (see check/follow_edges);
// an active one carries its `audienceKey` and `followersKey` (cypher/schema/002_indexes),
// a pending one its `followersKey` under `request`.
UNWIND $rows AS row
MATCH (a:Person {org: $org, id: row.followerId})
MATCH (b:Person {org: $org, id: row.followingId})
WHERE a <> b AND NOT EXISTS { (a)-[:BLOCKS]-(b) }
WITH a, b, row, coalesce(datetime(row.since), datetime()) AS since,
     replace(replace(b.key, '\\', '\\\\'), '|', '\\|') AS followed
MERGE (a)-[f:FOLLOWS]->(b)
  ON CREATE SET f.since = since, f.status = row.status, f.imported = true,
                f.audienceKey = CASE WHEN row.status = 'active' THEN $org + '|person|' + followed + '|' + a.key END,
                f.followersKey = $org + CASE row.status WHEN 'active' THEN '|person|' ELSE '|request|' END
                  + followed + '|' + toString(500000000000000000 - since.epochMillis) + toString(1999999 - since.nanosecond % 1000000)
                  + toString(200000 - since.offsetSeconds) + '|' + a.id
RETURN count(*) AS written
