// `$me` (merged and locked) stops following whatever `$tId` / `$tEmail` names: a
// person by id or email, or a page by id (`$type` narrows it); a pending request to
// a protected person is withdrawn the same way. A page's followerCount drops in the
// same transaction. No row: nothing was followed.
MATCH (me:Person) WHERE elementId(me) = $me AND me.org = $org
OPTIONAL MATCH (tp:Person {org: $org, id: $tId})
OPTIONAL MATCH (te:Person {org: $org, email: $tEmail})
OPTIONAL MATCH (pg:Page {org: $org, id: $tId})
WITH me, [x IN [tp, te, pg] WHERE x IS NOT NULL AND ($type IS NULL OR (x:Page) = ($type = 'page'))] AS targets
UNWIND targets AS t
MATCH (me)-[r:FOLLOWS]->(t)
WITH t, r, r.status AS status
DELETE r
FOREACH (_ IN CASE WHEN t:Page THEN [1] ELSE [] END | SET t.followerCount = t.followerCount - 1)
RETURN CASE WHEN t:Page THEN 'page' ELSE 'person' END AS type, t.id AS id, t.email AS email, status
