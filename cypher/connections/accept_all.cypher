// Accept every request `$me` (merged and locked) has received and not answered,
// in this one transaction, each with its FRIEND (requester -> target).
MATCH (me:Person) WHERE elementId(me) = $me AND me.org = $org
MATCH (me)<-[c:CONNECTED]-(a:Person)
WHERE c.status = 'pending'
SET c.status = 'accepted', c.respondedAt = datetime()
CREATE (a)-[:FRIEND]->(me)
RETURN collect({rel: properties(c), requester: a {.id, .email}, target: me {.id, .email}}) AS accepted,
       collect(elementId(a)) AS requesters
