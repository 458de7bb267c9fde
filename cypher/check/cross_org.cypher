// Invariant: no relationship joins a node of this org to a node of another org or
// of none. Starts from every indexed node kind of the org (people, pages, posts,
// events, webhooks); deliveries are reached through their events and webhooks.
CALL () {
  MATCH (n:Person) WHERE n.org = $org AND n.id IS NOT NULL RETURN n
  UNION
  MATCH (n:Person) WHERE n.org = $org AND n.email IS NOT NULL RETURN n
  UNION
  MATCH (n:Page) WHERE n.org = $org AND n.id IS NOT NULL RETURN n
  UNION
  MATCH (n:Post) WHERE n.org = $org AND n.id IS NOT NULL RETURN n
  UNION
  MATCH (n:Event) WHERE n.org = $org AND n.seq IS NOT NULL RETURN n
  UNION
  MATCH (n:Webhook) WHERE n.org = $org AND n.id IS NOT NULL RETURN n
}
MATCH (n)-[r]-(m)
WHERE m.org IS NULL OR m.org <> $org
RETURN labels(n)[0] + ' ' + coalesce(n.id, n.email, toString(n.seq)) AS node, type(r) AS rel,
       labels(m)[0] + ' ' + coalesce(m.id, m.email, elementId(m)) AS other, m.org AS otherOrg
ORDER BY node, rel, other LIMIT $cap
