// Claim, step 2 of 2: under the locks taken by lock_due, keep the deliveries that
// are still due and lease them to this dispatcher ($token) until the lease ends.
// The lease end doubles as nextAttemptAt, so a dispatcher that dies mid-send
// leaves work that falls due again on its own. A delivery whose webhook was
// switched off is cancelled rather than sent. The secret is returned sealed; only
// the dispatcher holds the key that opens it.
UNWIND $eids AS eid
MATCH (d:Delivery) WHERE elementId(d) = eid
REMOVE d.claimLock
WITH d WHERE d.state IN ['pending', 'sending'] AND d.nextAttemptAt <= datetime()
MATCH (d)-[:OF]->(e:Event)
MATCH (d)-[:TO]->(w:Webhook)
WITH d, e, w, datetime() + duration({milliseconds: $leaseMs}) AS until
SET d.state = CASE WHEN w.active THEN 'sending' ELSE 'cancelled' END,
    d.claim = $token, d.nextAttemptAt = until
WITH d, e, w WHERE w.active
RETURN elementId(d) AS eid, d.id AS id, d.attempts AS attempts,
       elementId(w) AS hook, w.id AS webhookId, w.url AS url, w.secret AS secret,
       e.id AS eventId, e.seq AS cursor, e.org AS org, e.type AS type, e.actor AS actor,
       e.subject AS subject, e.payload AS payload, toString(e.createdAt) AS createdAt
