// Claim, step 1 of 2: write-lock up to $batch due deliveries, shared fairly.
// Due means pending with nextAttemptAt passed, or sending whose lease (kept in
// nextAttemptAt) ran out because its dispatcher died. The delivery_due index yields
// them oldest first; one org's backlog must not starve the rest (issue 19), so only
// the first $window of them are weighed and then served round robin: each webhook
// up to $perHook minus what this dispatcher already has in flight for it
// ($busyHooks, by webhook elementId), each org up to $perOrg minus its in-flight
// ($busyOrgs). Round robin counts what is in flight: a webhook (or org) with n
// deliveries in flight competes for a slot as if n of its turns were taken, so an
// idle receiver goes before a busy one, and everyone's first before anyone's second.
// A parked webhook (circuit open until parkedUntil) is skipped; once its probe time
// has come, one delivery at a time goes (half-open) until one succeeds or it is
// parked again ($breakAfter failures in a row, see failed.cypher). Values read from
// the index may be stale once a lock is granted (another dispatcher may just have
// claimed the same delivery), so claim.cypher re-reads them, in a new statement,
// under the lock.
MATCH (d:Delivery)
WHERE d.state IN ['pending', 'sending'] AND d.nextAttemptAt <= datetime()
WITH d LIMIT $window
MATCH (d)-[:TO]->(w:Webhook)
WHERE w.parkedUntil IS NULL OR w.parkedUntil <= datetime()
WITH w, collect(d) AS due
WITH w, due, coalesce($busyHooks[elementId(w)], 0) AS busy
WITH w, due, busy, CASE WHEN w.failStreak >= $breakAfter THEN 1 ELSE $perHook END - busy AS room
UNWIND range(0, CASE WHEN room < size(due) THEN room ELSE size(due) END - 1) AS turn
WITH w.org AS org, due[turn] AS d, busy + turn AS rank ORDER BY rank
WITH org, collect(d) AS due
WITH due, coalesce($busyOrgs[org], 0) AS busy
WITH due, busy, $perOrg - busy AS room
UNWIND range(0, CASE WHEN room < size(due) THEN room ELSE size(due) END - 1) AS turn
WITH due[turn] AS d, busy + turn AS rank ORDER BY rank
LIMIT $batch
SET d.claimLock = true
RETURN collect(elementId(d)) AS eids
