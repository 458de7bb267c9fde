// Append events to the org's outbox, inside the transaction of the change they
// record. The org node stays write-locked until commit, so `seq` order is commit
// order: a reader of the feed never sees seq n+1 before seq n exists.
// A delivery is queued for every active webhook of the org that wants the type.
MERGE (o:Org {id: $org})
  ON CREATE SET o.seq = 0
SET o.seq = o.seq + size($events)
WITH o.seq - size($events) AS base
UNWIND range(0, size($events) - 1) AS i
WITH base + i + 1 AS seq, $events[i] AS ev
CREATE (e:Event {
  id: randomUUID(), org: $org, seq: seq, type: ev.type,
  actor: ev.actor, subject: ev.subject, payload: ev.payload, createdAt: datetime()
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
RETURN collect(e.seq) AS seqs
