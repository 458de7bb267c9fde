// Reschedule, step 2 of 2: under the locks hold.cypher took, move each delivery
// that is still waiting to $at. Moved later past its give-up horizon (the webhook
// parked too long), a delivery ends dead instead, with $why as its last error.
UNWIND $eids AS eid
MATCH (d:Delivery) WHERE elementId(d) = eid
REMOVE d.holdLock
WITH d WHERE d.state = 'pending' AND CASE WHEN $later THEN d.nextAttemptAt < $at ELSE d.nextAttemptAt > $at END
WITH d, $later AND $at > d.createdAt + duration({seconds: $horizon}) AS expired
SET d.nextAttemptAt = $at,
    d.state = CASE WHEN expired THEN 'dead' ELSE 'pending' END,
    d.lastError = CASE WHEN expired THEN $why ELSE d.lastError END
RETURN count(d) AS moved
