// Signing secrets not sealed with the current key: stored in plain text before
// sealing existed (issue 19), or sealed with a key being rotated out. A batch of
// them, to (re)seal in place. Cross-org on purpose: each dispatcher runs it at
// start-up and with every retention pass. The range predicate reads the webhook_org
// index (one entry per webhook) instead of scanning nodes; webhooks are few, one per
// receiver.
MATCH (w:Webhook)
WHERE w.org >= '' AND w.secret IS NOT NULL AND NOT w.secret STARTS WITH $current
RETURN w.org AS org, w.id AS id, w.secret AS secret
LIMIT $batch
