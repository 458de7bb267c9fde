// whole-graph: finds nodes with no org for `graphsvc check` without --org
// All-orgs mode of `graphsvc check` only: nodes and CONNECTED relationships that
// carry no `org` at all belong to no tenant, so no org-scoped check can find them.
// A whole-graph scan by design (never run with --org).
CALL () {
  MATCH (n)
  WHERE (n:Person OR n:Page OR n:Post OR n:Event OR n:Webhook OR n:Delivery) AND n.org IS NULL
  RETURN labels(n)[0] + ' ' + coalesce(n.id, n.email, elementId(n)) AS item
  UNION
  MATCH ()-[c:CONNECTED]->()
  WHERE c.org IS NULL
  RETURN 'CONNECTED ' + coalesce(c.id, elementId(c)) AS item
}
RETURN item ORDER BY item LIMIT $cap
