// title: Follower growth per week
// description: New follows started in each of the last `weeks` weeks (Monday to Sunday,
//   UTC), split into follows of people and of pages, and the running total of follows
//   standing today that had started by the end of that week. Unfollowed edges are
//   deleted, so they count in no week; pending follow requests are not follows.
// param: weeks (int, default 12): how many weeks, ending with the current one
// Followers are found by index seeks on (org, id), and (org, email) for those known
// only by email.
CALL () {
  MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p
  UNION
  MATCH (p:Person) WHERE p.org = $org AND p.email IS NOT NULL AND p.id IS NULL RETURN p
}
MATCH (p)-[f:FOLLOWS]->(t)
WHERE f.status = 'active'
WITH date.truncate('week', f.since) AS week, count(*) AS n, count(CASE WHEN t:Page THEN 1 END) AS pages
WITH collect({week: week, n: n, pages: pages}) AS counts
UNWIND range($weeks - 1, 0, -1) AS ago
WITH counts, date.truncate('week', date.statement()) - duration({weeks: ago}) AS week
WITH week, [c IN counts WHERE c.week = week][0] AS hit,
     reduce(total = 0, c IN counts | total + CASE WHEN c.week <= week THEN c.n ELSE 0 END) AS total
RETURN week, coalesce(hit.n, 0) AS newFollows, coalesce(hit.n - hit.pages, 0) AS newPersonFollows,
       coalesce(hit.pages, 0) AS newPageFollows, total AS totalFollows
ORDER BY week
