// Claim, step 1 of 2: write-lock up to $batch due deliveries. Due means pending
// with nextAttemptAt passed, or sending whose lease (kept in nextAttemptAt) ran
// out because its dispatcher died. Values read from the delivery_due index may be
// stale once a lock is granted (another dispatcher may just have claimed the
// same delivery), so claim.cypher re-reads them, in a new statement, under the lock.
MATCH (d:Delivery)
WHERE d.state IN ['pending', 'sending'] AND d.nextAttemptAt <= datetime()
WITH d LIMIT $batch
SET d.claimLock = true
RETURN collect(elementId(d)) AS eids
