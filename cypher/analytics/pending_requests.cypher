// title: Members with many pending requests
// description: Members with at least minPending connection requests waiting for their
//   answer, with how many they sent that are still unanswered and when the oldest
//   waiting request was sent: who to nudge.
// param: minPending (int, default 5): the least number of received pending requests to be listed
// param: limit (int, default 50): how many members to list
// People are found by index seeks on (org, id), and (org, email) for those known only
// by email.
CALL () {
  MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p
  UNION
  MATCH (p:Person) WHERE p.org = $org AND p.email IS NOT NULL AND p.id IS NULL RETURN p
}
WITH p, COUNT { (p)<-[c:CONNECTED]-(:Person) WHERE c.status = 'pending' AND c.org = $org } AS pendingReceived
WHERE pendingReceived >= $minPending
RETURN p.id AS userId, p.email AS email, pendingReceived,
       COUNT { (p)-[c:CONNECTED]->(:Person) WHERE c.status = 'pending' AND c.org = $org } AS pendingSent,
       COLLECT { MATCH (p)<-[c:CONNECTED]-(:Person) WHERE c.status = 'pending' AND c.org = $org
                 RETURN c.requestedAt ORDER BY c.requestedAt LIMIT 1 }[0] AS oldestRequestedAt
ORDER BY pendingReceived DESC, coalesce(userId, email)
LIMIT $limit
