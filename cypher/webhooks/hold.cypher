// Reschedule, step 1 of 2: write-lock a webhook's waiting deliveries whose next
// attempt is to move to $at: later ones when it is parked ($later), earlier ones
// when staff say "try now". Values read before the locks may be stale (a dispatcher
// may have just claimed one), so reschedule.cypher re-reads them, in a new
// statement, under the locks, and never touches a delivery in flight.
MATCH (w:Webhook) WHERE elementId(w) = $hook
MATCH (w)<-[:TO]-(d:Delivery)
WHERE d.state = 'pending' AND CASE WHEN $later THEN d.nextAttemptAt < $at ELSE d.nextAttemptAt > $at END
SET d.holdLock = true
RETURN collect(elementId(d)) AS eids
