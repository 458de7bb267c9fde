// Record a 2xx answer. Recorded even if this dispatcher's lease ran out meanwhile:
// the receiver has the event, which is what the state must say.
MATCH (d:Delivery) WHERE elementId(d) = $eid AND d.id = $id
SET d.state = 'delivered', d.deliveredAt = datetime(), d.lastAttemptAt = datetime(),
    d.attempts = d.attempts + 1, d.lastStatus = $status, d.lastError = null,
    d.history = (coalesce(d.history, []) + [toString(datetime()) + ' ' + $note])[-20..]
REMOVE d.claim
RETURN d.state AS state
