// Record a 2xx answer. Recorded even if this dispatcher's lease ran out meanwhile:
// the receiver has the event, which is what the state must say. The receiver
// answers, so its circuit closes: failure count reset, parking lifted (written only
// when set, so a healthy webhook's deliveries never queue on its lock).
MATCH (d:Delivery) WHERE elementId(d) = $eid AND d.id = $id
SET d.state = 'delivered', d.deliveredAt = datetime(), d.lastAttemptAt = datetime(),
    d.attempts = d.attempts + 1, d.lastStatus = $status, d.lastError = null,
    d.history = (coalesce(d.history, []) + [toString(datetime()) + ' ' + $note])[-20..]
REMOVE d.claim
WITH d
OPTIONAL MATCH (d)-[:TO]->(w:Webhook)
FOREACH (_ IN CASE WHEN w.failStreak > 0 OR w.parkedUntil IS NOT NULL THEN [1] ELSE [] END |
  SET w.failStreak = 0, w.parkedUntil = null)
RETURN d.state AS state
