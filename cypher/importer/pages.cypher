// Bulk import: one batch of pages, merged on (org, id). followerCount starts at 0
// and is recomputed from the FOLLOWS edges at the end of the import
// (import/page_counts), so it is exact however the rows were ordered.
UNWIND $rows AS row
MERGE (pg:Page {org: $org, id: row.id})
  ON CREATE SET pg.name = row.name, pg.followerCount = 0,
                pg.createdAt = coalesce(datetime(row.createdAt), datetime())
WITH pg, row
CALL (pg, row) {
  WITH pg, row WHERE row.name IS NOT NULL AND coalesce(pg.name <> row.name, true)
  SET pg.name = row.name
}
RETURN count(*) AS written
