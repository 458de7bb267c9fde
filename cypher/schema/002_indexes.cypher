// Retention prunes events by age across orgs.
CREATE INDEX event_created IF NOT EXISTS
FOR (e:Event) ON (e.createdAt);

// The dispatcher finds deliveries that are due.
CREATE INDEX delivery_due IF NOT EXISTS
FOR (d:Delivery) ON (d.state, d.nextAttemptAt);

// Each change queues deliveries for its org's webhooks: found by org, not by scan.
CREATE INDEX webhook_org IF NOT EXISTS
FOR (w:Webhook) ON (w.org);
