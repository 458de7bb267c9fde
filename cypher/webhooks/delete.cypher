// Remove a webhook and every delivery queued for it: nothing more is sent to it.
// A POST already in flight may still land; its result finds no delivery to record.
MATCH (w:Webhook {org: $org, id: $id})
OPTIONAL MATCH (w)<-[:TO]-(d:Delivery)
WITH w, collect(d) AS deliveries
FOREACH (d IN deliveries | DETACH DELETE d)
DETACH DELETE w
RETURN count(*) AS deleted
