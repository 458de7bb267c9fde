// `$me` (merged and locked) follows the page `$pageId`. The page's followerCount
// changes in this same transaction; `SET n.x = n.x + 1` write-locks the page before
// reading the counter, so concurrent follows never lose an increment. The follow
// carries its `audienceKey` (cypher/schema/002_indexes: org|page|page id|follower key).
MATCH (me:Person) WHERE elementId(me) = $me AND me.org = $org
OPTIONAL MATCH (pg:Page {org: $org, id: $pageId})
OPTIONAL MATCH (me)-[existing:FOLLOWS]->(pg)
WITH me, pg,
  CASE
    WHEN pg IS NULL THEN 'no_page'
    WHEN existing IS NOT NULL THEN 'exists'
    WHEN COUNT { (me)-[:FOLLOWS]->() } >= $maxFollows THEN 'limit'
    ELSE 'created'
  END AS outcome
CALL (me, pg, outcome) {
  WITH me, pg, outcome WHERE outcome = 'created'
  SET pg.followerCount = pg.followerCount + 1
  CREATE (me)-[:FOLLOWS {since: datetime(), status: 'active',
                         audienceKey: $org + '|page|' + replace(replace(pg.id, '\\', '\\\\'), '|', '\\|') + '|' + me.key}]->(pg)
}
RETURN outcome, {type: 'page', id: pg.id, email: null, name: pg.name} AS following
