// Retention: delete one batch of events older than the cutoff, with their
// finished deliveries. An event still owed to a webhook (pending or sending) is
// kept until its delivery ends, so pruning never turns at-least-once into never.
// The createdAt range index finds the old events without scanning the rest.
MATCH (e:Event)
WHERE e.createdAt < datetime() - duration({seconds: $olderThanSeconds})
  AND NOT EXISTS { (e)<-[:OF]-(open:Delivery) WHERE open.state IN ['pending', 'sending'] }
WITH e LIMIT $batch
OPTIONAL MATCH (e)<-[:OF]-(d:Delivery)
WITH e, collect(d) AS deliveries
FOREACH (d IN deliveries | DETACH DELETE d)
DETACH DELETE e
RETURN count(*) AS pruned
