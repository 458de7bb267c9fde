// Delivery status of one webhook, newest first, optionally by state or event id:
// an index seek on (org, id) for the webhook, then its own deliveries only.
MATCH (w:Webhook {org: $org, id: $id})
OPTIONAL MATCH (w)<-[:TO]-(d:Delivery)-[:OF]->(e:Event)
WHERE ($state IS NULL OR d.state = $state) AND ($eventId IS NULL OR e.id = $eventId)
WITH w, d, e ORDER BY d.createdAt DESC, d.id
WITH w, collect(CASE WHEN d IS NULL THEN null ELSE {
  _key: [toString(d.createdAt), d.id],
  id: d.id, eventId: e.id, eventType: e.type, cursor: e.seq, state: d.state, attempts: d.attempts,
  lastStatus: d.lastStatus, lastError: d.lastError, history: coalesce(d.history, []),
  createdAt: toString(d.createdAt), lastAttemptAt: toString(d.lastAttemptAt),
  nextAttemptAt: CASE WHEN d.state IN ['pending', 'sending'] THEN toString(d.nextAttemptAt) END,
  deliveredAt: toString(d.deliveredAt)
} END) AS items
RETURN size(items) AS total,
       [x IN items WHERE $after IS NULL OR datetime(x._key[0]) < datetime($after[0])
                         OR (x._key[0] = $after[0] AND x._key[1] > $after[1])][$skip..$skip + $limit] AS data
