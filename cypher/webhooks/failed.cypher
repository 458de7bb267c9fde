// Record a failed attempt, only while this dispatcher still holds the lease (else
// another dispatcher owns the delivery now). The next attempt is $delayMs away
// (exponential back-off with jitter, computed by the caller); a next attempt past
// the give-up horizon, counted from the delivery's creation, makes it dead instead.
MATCH (d:Delivery) WHERE elementId(d) = $eid AND d.id = $id AND d.claim = $token AND d.state = 'sending'
WITH d, datetime() + duration({milliseconds: $delayMs}) AS next
SET d.attempts = d.attempts + 1, d.lastAttemptAt = datetime(), d.lastStatus = $status, d.lastError = $error,
    d.history = (coalesce(d.history, []) + [toString(datetime()) + ' ' + $note])[-20..],
    d.state = CASE WHEN next > d.createdAt + duration({seconds: $horizon}) THEN 'dead' ELSE 'pending' END,
    d.nextAttemptAt = next
REMOVE d.claim
RETURN d.state AS state
