// Register or replace one webhook of the org (an index seek on (org, id)). Its
// pending deliveries read url and secret at send time, so a rotated secret signs
// the retries too. The secret arrives sealed (graphsvc/sealing.py). Replacing a
// webhook closes its circuit; if it was parked, the caller brings its waiting
// deliveries forward (hold.cypher, reschedule.cypher): PUT again is how staff say
// "the receiver is back, try now".
MERGE (w:Webhook {org: $org, id: $id})
  ON CREATE SET w.createdAt = datetime(), w.fresh = true
WITH w, w.parkedUntil IS NOT NULL AS parked
SET w.url = $url, w.secret = $secret, w.types = $types, w.active = $active, w.updatedAt = datetime(),
    w.failStreak = 0, w.parkedUntil = null
WITH w, parked, coalesce(w.fresh, false) AS created
REMOVE w.fresh
RETURN created, parked, elementId(w) AS hook, datetime() AS now
