// One page of the org's webhooks (a prefix seek on the (org, id) index), or the one
// named by $id, each with its delivery counts by state and its circuit (consecutive
// failures, parked until when). The secret is never returned.
MATCH (w:Webhook)
WHERE w.org = $org AND w.id IS NOT NULL AND ($id IS NULL OR w.id = $id)
WITH w ORDER BY w.org, w.id
WITH collect(w) AS every
WITH size(every) AS total, [w IN every WHERE $after IS NULL OR w.id > $after[0]] AS hooks
CALL (hooks) {
  UNWIND hooks[$skip..$skip + $limit] AS w
  CALL (w) {
    OPTIONAL MATCH (w)<-[:TO]-(d:Delivery)
    WITH d.state AS state, count(d) AS n WHERE state IS NOT NULL
    RETURN collect([state, n]) AS counts
  }
  RETURN collect({_key: [w.id], id: w.id, url: w.url, types: w.types, active: w.active, createdAt: toString(w.createdAt),
                  updatedAt: toString(w.updatedAt), counts: counts,
                  consecutiveFailures: coalesce(w.failStreak, 0),
                  parkedUntil: CASE WHEN w.parkedUntil > datetime() THEN toString(w.parkedUntil) END}) AS data
}
RETURN total, data
