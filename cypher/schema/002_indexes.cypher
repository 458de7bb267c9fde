// Retention prunes events by age across orgs.
CREATE INDEX event_created IF NOT EXISTS
FOR (e:Event) ON (e.createdAt);

// The dispatcher finds deliveries that are due.
CREATE INDEX delivery_due IF NOT EXISTS
FOR (d:Delivery) ON (d.state, d.nextAttemptAt);
