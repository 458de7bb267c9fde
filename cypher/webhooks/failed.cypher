// Record a failed attempt, only while this dispatcher still holds the lease (else
// another dispatcher owns the delivery now). The next attempt is $delayMs away
// (exponential back-off with jitter, computed by the caller); a next attempt past
// the give-up horizon, counted from the delivery's creation, makes it dead instead,
// and so does $final (an attempt that can never succeed: a refused address).
//
// Circuit breaker: the webhook counts consecutive failed attempts of any of its
// deliveries. From the $breakAfter-th on it is parked until a probe time, $probeMs
// doubling per further failure up to $maxProbeMs, and lock_due skips it until then;
// the caller then moves its waiting deliveries to the probe time (hold.cypher and
// reschedule.cypher), so they leave the head of the due queue. At the probe time
// lock_due lets one through per dispatcher (half-open); one success closes the circuit.
MATCH (d:Delivery) WHERE elementId(d) = $eid AND d.id = $id AND d.claim = $token AND d.state = 'sending'
MATCH (d)-[:TO]->(w:Webhook)
WITH d, w, coalesce(w.failStreak, 0) + 1 AS streak
WITH d, w, streak, CASE WHEN streak >= $breakAfter THEN $probeMs * 2.0 ^ (streak - $breakAfter) END AS probeMs
WITH d, w, streak,
     CASE WHEN probeMs IS NOT NULL THEN datetime() + duration({milliseconds:
       toInteger(CASE WHEN probeMs > $maxProbeMs THEN $maxProbeMs ELSE probeMs END)}) END AS parkedUntil,
     datetime() + duration({milliseconds: $delayMs}) AS next
WITH d, w, streak, parkedUntil, CASE WHEN parkedUntil > next THEN parkedUntil ELSE next END AS next
SET w.failStreak = streak, w.parkedUntil = parkedUntil,
    d.attempts = d.attempts + 1, d.lastAttemptAt = datetime(), d.lastStatus = $status, d.lastError = $error,
    d.history = (coalesce(d.history, []) + [toString(datetime()) + ' ' + $note])[-20..],
    d.state = CASE WHEN $final OR next > d.createdAt + duration({seconds: $horizon}) THEN 'dead' ELSE 'pending' END,
    d.nextAttemptAt = next
REMOVE d.claim
RETURN d.state AS state, streak, parkedUntil, elementId(w) AS hook
