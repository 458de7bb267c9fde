// Retention prunes events by age across orgs.
CREATE INDEX event_created IF NOT EXISTS
FOR (e:Event) ON (e.createdAt);

// The dispatcher finds deliveries that are due.
CREATE INDEX delivery_due IF NOT EXISTS
FOR (d:Delivery) ON (d.state, d.nextAttemptAt);

// Each change queues deliveries for its org's webhooks: found by org, not by scan.
CREATE INDEX webhook_org IF NOT EXISTS
FOR (w:Webhook) ON (w.org);

// The audience of a post (posts/audience): every ACTIVE follow carries
// `audienceKey` = org | person|page | followed (its key, or the page id; `\` and `|`
// escaped) | the follower's key, and a pending one carries none. One page of a
// person's or a page's followers, in follower-key order after a cursor, is a range
// seek in this index, so it costs the same at any depth (docs/performance.md).
// Every statement that creates, activates or moves a FOLLOWS edge sets it in the
// same transaction; `graphsvc check` (audience_keys) verifies it and `--repair`
// back-fills it.
CREATE RANGE INDEX follows_audience IF NOT EXISTS
FOR ()-[f:FOLLOWS]-() ON (f.audienceKey);
