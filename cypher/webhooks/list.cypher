// One page of the org's webhooks (a prefix seek on the (org, id) index), or the one
// named by $id, each with its delivery counts by state. The secret is never returned.
MATCH (w:Webhook)
WHERE w.org = $org AND w.id IS NOT NULL AND ($id IS NULL OR w.id = $id)
WITH w ORDER BY w.org, w.id
WITH collect(w) AS hooks
CALL (hooks) {
  UNWIND hooks[$skip..$skip + $limit] AS w
  CALL (w) {
    OPTIONAL MATCH (w)<-[:TO]-(d:Delivery)
    WITH d.state AS state, count(d) AS n WHERE state IS NOT NULL
    RETURN collect([state, n]) AS counts
  }
  RETURN collect({id: w.id, url: w.url, types: w.types, active: w.active, createdAt: toString(w.createdAt),
                  updatedAt: toString(w.updatedAt), counts: counts}) AS data
}
RETURN size(hooks) AS total, data
