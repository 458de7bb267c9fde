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

// A person's followers page (follows/followers): every ACTIVE follow of a person also
// carries `followersKey` = org | person | the followed person's key (escaped as in
// audienceKey) | its `since` newest first as fixed-width digits (5·10^17 - epochMillis,
// 1999999 - the nanoseconds below the millisecond, 200000 - offsetSeconds: the order
// datetime comparison gives; epochSeconds rounds, epochMillis floors) | the follower's
// id, else email. Ascending order of the key is the page order
// (since desc, then id), so page 1 and a cursor's page are a range seek read in order
// and cut at the limit, whatever the length of the list. A pending follow carries the
// same key under `request` instead of `person`: the total is the node's FOLLOWS degree
// less that range, so no count reads every follower either.
// Set in the same transaction as audienceKey; `graphsvc check` (followers_keys)
// verifies it and `--repair` back-fills it.
CREATE RANGE INDEX follows_followers IF NOT EXISTS
FOR ()-[f:FOLLOWS]-() ON (f.followersKey);
