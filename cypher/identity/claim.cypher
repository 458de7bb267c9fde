// A token with `sub` and `email` arrived: the person followed or invited by that
// email before they ever signed in becomes this user. Never creates a duplicate:
// (org, id) and (org, email) are unique, so a racing claim fails and is retried.
OPTIONAL MATCH (p:Person {org: $org, id: $sub})
OPTIONAL MATCH (e:Person {org: $org, email: $email})
WITH p, e
// Nobody yet: the first sign-in creates the person.
CALL (p, e) {
  WITH p, e WHERE p IS NULL AND e IS NULL
  CREATE (:Person {org: $org, id: $sub, email: $email, key: randomUUID(), createdAt: datetime()})
}
// Only the email placeholder: it becomes this user, edges and all.
CALL (p, e) {
  WITH p, e WHERE p IS NULL AND e IS NOT NULL AND e.id IS NULL
  SET e.id = $sub, e.claimedAt = datetime()
}
// Only the user, known by id so far: record the email.
CALL (p, e) {
  WITH p, e WHERE p IS NOT NULL AND e IS NULL AND p.email IS NULL
  SET p.email = $email
}
// Both, as two nodes: fold the placeholder's edges into the user, then drop it.
CALL (p, e) {
  WITH p, e WHERE p IS NOT NULL AND e IS NOT NULL AND p <> e AND e.id IS NULL AND p.email IS NULL
  SET p._lock = true, e._lock = true
  REMOVE p._lock, e._lock
  WITH p, e
  CALL (p, e) {
    MATCH (e)-[r:FOLLOWS]->(t)
    OPTIONAL MATCH (p)-[x:FOLLOWS]->(t)
    WITH p, t, r, x IS NOT NULL OR t = p AS dropped
    FOREACH (_ IN CASE WHEN dropped THEN [] ELSE [1] END |
      CREATE (p)-[:FOLLOWS {since: r.since, status: r.status}]->(t))
    FOREACH (_ IN CASE WHEN dropped AND t:Page THEN [1] ELSE [] END |
      SET t.followerCount = t.followerCount - 1)
    DELETE r
  }
  CALL (p, e) {
    MATCH (s)-[r:FOLLOWS]->(e)
    OPTIONAL MATCH (s)-[x:FOLLOWS]->(p)
    WITH p, s, r, x IS NOT NULL OR s = p AS dropped
    FOREACH (_ IN CASE WHEN dropped THEN [] ELSE [1] END |
      CREATE (s)-[:FOLLOWS {since: r.since, status: r.status}]->(p))
    DELETE r
  }
  CALL (p, e) {
    MATCH (e)-[r:BLOCKS]-(o)
    WITH p, o, r, startNode(r) = e AS outgoing, properties(r) AS props
    DELETE r
    WITH p, o, outgoing, props WHERE o <> p
    FOREACH (_ IN CASE WHEN outgoing THEN [1] ELSE [] END | MERGE (p)-[b:BLOCKS]->(o) ON CREATE SET b = props)
    FOREACH (_ IN CASE WHEN outgoing THEN [] ELSE [1] END | MERGE (o)-[b:BLOCKS]->(p) ON CREATE SET b = props)
  }
  CALL (p, e) {
    MATCH (e)-[c:CONNECTED]-(o)
    WITH p, o, c, startNode(c) = e AS outgoing, properties(c) AS props
    DELETE c
    WITH p, o, outgoing, props
    WHERE o <> p AND (props.liveKey IS NULL OR NOT EXISTS { (p)-[l:CONNECTED]-(o) WHERE l.liveKey IS NOT NULL })
    WITH p, o, outgoing, props,
         CASE WHEN props.liveKey IS NULL THEN null
              WHEN p.key < o.key THEN p.key + ':' + o.key ELSE o.key + ':' + p.key END AS liveKey
    FOREACH (_ IN CASE WHEN outgoing THEN [1] ELSE [] END |
      CREATE (p)-[n:CONNECTED]->(o) SET n = props, n.liveKey = liveKey)
    FOREACH (_ IN CASE WHEN outgoing THEN [] ELSE [1] END |
      CREATE (o)-[n:CONNECTED]->(p) SET n = props, n.liveKey = liveKey)
  }
  DETACH DELETE e
  WITH p
  SET p.email = $email, p.claimedAt = datetime()
}
RETURN true AS claimed
