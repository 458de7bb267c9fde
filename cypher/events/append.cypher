// Append one event to the org's outbox, inside the transaction of the change it
// records. The org node stays write-locked until commit, so `seq` order is commit
// order: a reader of the feed never sees seq n+1 before seq n exists.
// A delivery is queued for every webhook of the org that wants this type.
MERGE (o:Org {id: $org})
  ON CREATE SET o.seq = 0
SET o.seq = o.seq + 1
CREATE (e:Event {
  id: randomUUID(), org: $org, seq: o.seq, type: $type,
  actor: $actor, subject: $subject, payload: $payload, createdAt: datetime()
})
WITH e
CALL (e) {
  MATCH (w:Webhook {org: $org})
  WHERE w.active AND (w.types = [] OR e.type IN w.types)
  CREATE (d:Delivery {id: randomUUID(), org: $org, state: 'pending', attempts: 0,
                      nextAttemptAt: datetime(), createdAt: datetime()})
  CREATE (d)-[:OF]->(e)
  CREATE (d)-[:TO]->(w)
}
RETURN e.id AS id, e.seq AS seq
