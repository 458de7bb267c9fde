// A member token with `sub` and `email` arrived: make the two name one person.
// - Nobody yet: the first sign-in creates the person.
// - Only an email placeholder (no id): it becomes this user, edges and all.
// - The user, with no email or another one: the token's email is recorded (the token
//   is the identity provider's word); a former email is kept in `formerEmails` for
//   the integrity checker, which matches old events by it, and is free for others.
// - The user and a placeholder for the email, as two nodes: the placeholder is folded
//   into the user. Where both had an edge to the same person, one survives -- the one
//   further along (an active follow over a pending request, an accepted connection
//   over a pending one), else the user's own -- and a block either of them had takes
//   its effect on the other's follows and connections. Every edge removed is returned,
//   so that the caller writes its follow.deleted / connection.removed event. A moved
//   active follow gets the `audienceKey` and `followersKey` of its new ends
//   (cypher/schema/002_indexes), a moved pending one its `followersKey`; a claimed
//   placeholder's own follows get the `followersKey` of its new id, which now names it
//   in its followees' lists.
// - An email another user id holds is left to that member (README, Decisions).
// Never creates a duplicate: (org, id) and (org, email) are unique, so a racing
// claim fails and is retried.
OPTIONAL MATCH (p:Person {org: $org, id: $sub})
OPTIONAL MATCH (e:Person {org: $org, email: $email})
WITH p, e,
  CASE
    WHEN p IS NULL AND e IS NULL THEN 'create'
    WHEN p IS NULL THEN CASE WHEN e.id IS NULL THEN 'claim' ELSE 'none' END
    WHEN e IS NULL THEN CASE WHEN p.email = $email THEN 'none' ELSE 'set' END
    WHEN p = e OR e.id IS NOT NULL THEN 'none'
    ELSE 'fold'
  END AS action
CALL (action) {
  WITH action WHERE action = 'create'
  CREATE (:Person {org: $org, id: $sub, email: $email, key: randomUUID(), createdAt: datetime()})
}
CALL (e, action) {
  WITH e, action WHERE action = 'claim'
  SET e.id = $sub, e.claimedAt = datetime()
  WITH e
  MATCH (e)-[r:FOLLOWS]->(t:Person)
  WHERE r.status IN ['active', 'pending']
  SET r.followersKey = $org + CASE r.status WHEN 'active' THEN '|person|' ELSE '|request|' END + replace(replace(t.key, '\\', '\\\\'), '|', '\\|') + '|'
    + toString(500000000000000000 - r.since.epochMillis) + toString(1999999 - r.since.nanosecond % 1000000)
    + toString(200000 - r.since.offsetSeconds) + '|' + e.id
}
// The fold, under both people's locks taken in key order (as identity/merge_people).
CALL (p, e, action) {
  WITH p, e, action WHERE action = 'fold'
  UNWIND CASE WHEN p.key < e.key THEN [p, e] ELSE [e, p] END AS x
  SET x._lock = true
  REMOVE x._lock
}
// Whose FRIEND_TOP may change (cypher/graph/refresh_tops), read under the locks: a claim
// changes the placeholder's key, which orders it among its friends' friends; a fold
// moves or deletes the placeholder's FRIEND edges and the member's with anyone blocked.
WITH p, e, action,
  CASE action
    WHEN 'claim' THEN COLLECT { MATCH (e)-[:FRIEND]-(o:Person) RETURN DISTINCT elementId(o) }
    WHEN 'fold' THEN [elementId(p)] + COLLECT {
      MATCH (e)-[:BLOCKS|CONNECTED]-(o:Person) WHERE o <> p RETURN DISTINCT elementId(o) }
    ELSE [] END AS touched
// Blocks first: a block either one had with someone stands for the member, so every
// follow and connection between the two of them and that someone goes.
CALL (p, e, action) {
  WITH p, e, action WHERE action = 'fold'
  MATCH (e)-[:BLOCKS|FOLLOWS|CONNECTED]-(o:Person)
  WHERE o <> p AND (EXISTS { (e)-[:BLOCKS]-(o) } OR EXISTS { (p)-[:BLOCKS]-(o) })
  WITH DISTINCT p, e, o
  CALL (p, o) {
    MATCH (p)-[f:FRIEND]-(o)
    DELETE f
  }
  CALL (p, e, o) {
    MATCH (p)-[r:FOLLOWS|CONNECTED]-(o) RETURN r
    UNION
    MATCH (e)-[r:FOLLOWS|CONNECTED]-(o) RETURN r
  }
  WITH DISTINCT r, startNode(r) AS a, endNode(r) AS b
  WITH r, type(r) = 'FOLLOWS' AS isFollow,
       {from: a {.id, .email}, to: b {.id, .email}, type: 'person', status: r.status} AS follow,
       {rel: properties(r), requester: a {.id, .email}, target: b {.id, .email}, kept: null} AS connection
  DELETE r
  RETURN collect(CASE WHEN isFollow THEN follow END) AS blockedFollows,
         collect(CASE WHEN NOT isFollow THEN connection END) AS blockedConnections
}
// The placeholder's blocks and mutes, either way, become the member's.
CALL (p, e, action) {
  WITH p, e, action WHERE action = 'fold'
  MATCH (e)-[r:BLOCKS|MUTES]-(o)
  WITH p, o, r, type(r) AS kind, startNode(r) = e AS outgoing, properties(r) AS props
  DELETE r
  WITH p, o, kind, outgoing, props WHERE o <> p
  FOREACH (_ IN CASE WHEN kind = 'BLOCKS' AND outgoing THEN [1] ELSE [] END |
    MERGE (p)-[b:BLOCKS]->(o) ON CREATE SET b = props)
  FOREACH (_ IN CASE WHEN kind = 'BLOCKS' AND NOT outgoing THEN [1] ELSE [] END |
    MERGE (o)-[b:BLOCKS]->(p) ON CREATE SET b = props)
  FOREACH (_ IN CASE WHEN kind = 'MUTES' AND outgoing THEN [1] ELSE [] END |
    MERGE (p)-[m:MUTES]->(o) ON CREATE SET m = props)
  FOREACH (_ IN CASE WHEN kind = 'MUTES' AND NOT outgoing THEN [1] ELSE [] END |
    MERGE (o)-[m:MUTES]->(p) ON CREATE SET m = props)
}
// Posts registered under the email are the member's.
CALL (p, e, action) {
  WITH p, e, action WHERE action = 'fold'
  MATCH (e)-[r:AUTHORED]->(post:Post)
  DELETE r
  CREATE (p)-[:AUTHORED]->(post)
}
// Follows from the placeholder (staff acting for an email can make them).
CALL (p, e, action) {
  WITH p, e, action WHERE action = 'fold'
  MATCH (e)-[r:FOLLOWS]->(t)
  OPTIONAL MATCH (p)-[x:FOLLOWS]->(t)
  WITH p, e, t, r, x,
    CASE WHEN t = p THEN 'drop'
         WHEN x IS NULL THEN 'move'
         WHEN x.status = 'pending' AND coalesce(r.status, 'active') <> 'pending' THEN 'replace'
         ELSE 'drop' END AS fate
  WITH p, e, t, r, x, fate, CASE WHEN t:Page THEN 'page' ELSE 'person' END AS type
  WITH p, t, r, x, fate, CASE fate
      WHEN 'drop' THEN {from: e {.id, .email}, to: t {.id, .email}, type: type, status: r.status}
      WHEN 'replace' THEN {from: p {.id, .email}, to: t {.id, .email}, type: type, status: x.status}
    END AS dropped
  FOREACH (_ IN CASE WHEN fate = 'replace' THEN [1] ELSE [] END | DELETE x)
  FOREACH (_ IN CASE WHEN fate <> 'drop' THEN [1] ELSE [] END | CREATE (p)-[n:FOLLOWS]->(t)
    SET n = properties(r), n.audienceKey = CASE WHEN r.status = 'active' THEN
      $org + CASE WHEN t:Page THEN '|page|' + replace(replace(t.id, '\\', '\\\\'), '|', '\\|')
                  ELSE '|person|' + replace(replace(t.key, '\\', '\\\\'), '|', '\\|') END + '|' + p.key END,
      n.followersKey = CASE WHEN r.status IN ['active', 'pending'] AND NOT t:Page THEN
      $org + CASE r.status WHEN 'active' THEN '|person|' ELSE '|request|' END + replace(replace(t.key, '\\', '\\\\'), '|', '\\|') + '|'
      + toString(500000000000000000 - r.since.epochMillis) + toString(1999999 - r.since.nanosecond % 1000000)
      + toString(200000 - r.since.offsetSeconds) + '|' + coalesce(p.id, p.email) END)
  FOREACH (_ IN CASE WHEN fate <> 'move' AND t:Page THEN [1] ELSE [] END |
    SET t.followerCount = t.followerCount - 1)
  DELETE r
  RETURN collect(dropped) AS followsOut
}
// Follows of the placeholder.
CALL (p, e, action) {
  WITH p, e, action WHERE action = 'fold'
  MATCH (s)-[r:FOLLOWS]->(e)
  OPTIONAL MATCH (s)-[x:FOLLOWS]->(p)
  WITH p, e, s, r, x,
    CASE WHEN s = p THEN 'drop'
         WHEN x IS NULL THEN 'move'
         WHEN x.status = 'pending' AND coalesce(r.status, 'active') <> 'pending' THEN 'replace'
         ELSE 'drop' END AS fate
  WITH p, s, r, x, fate, CASE fate
      WHEN 'drop' THEN {from: s {.id, .email}, to: e {.id, .email}, type: 'person', status: r.status}
      WHEN 'replace' THEN {from: s {.id, .email}, to: p {.id, .email}, type: 'person', status: x.status}
    END AS dropped
  FOREACH (_ IN CASE WHEN fate = 'replace' THEN [1] ELSE [] END | DELETE x)
  FOREACH (_ IN CASE WHEN fate <> 'drop' THEN [1] ELSE [] END | CREATE (s)-[n:FOLLOWS]->(p)
    SET n = properties(r), n.audienceKey = CASE WHEN r.status = 'active' THEN
      $org + '|person|' + replace(replace(p.key, '\\', '\\\\'), '|', '\\|') + '|' + s.key END,
      n.followersKey = CASE WHEN r.status IN ['active', 'pending'] THEN
      $org + CASE r.status WHEN 'active' THEN '|person|' ELSE '|request|' END + replace(replace(p.key, '\\', '\\\\'), '|', '\\|') + '|'
      + toString(500000000000000000 - r.since.epochMillis) + toString(1999999 - r.since.nanosecond % 1000000)
      + toString(200000 - r.since.offsetSeconds) + '|' + coalesce(s.id, s.email) END)
  DELETE r
  RETURN collect(dropped) AS followsIn
}
// Connections and requests. A rejected one is history and always moves; a live one
// meets the member's own live one with that person, if any, and the one further
// along survives (accepted over pending, else the member's). A moved accepted one
// gets its FRIEND on the member; the placeholder's go with it (DETACH DELETE), and
// the member's own with a blocked person go with that connection, above.
CALL (p, e, action) {
  WITH p, e, action WHERE action = 'fold'
  MATCH (e)-[c:CONNECTED]-(o)
  OPTIONAL MATCH (p)-[l:CONNECTED]-(o) WHERE l.liveKey IS NOT NULL AND c.liveKey IS NOT NULL
  WITH p, e, o, c, l, startNode(c) = e AS outgoing, startNode(c) AS ca, endNode(c) AS cb,
       startNode(l) AS la, endNode(l) AS lb,
    CASE WHEN o = p THEN 'drop'
         WHEN l IS NULL THEN 'move'
         WHEN c.status = 'accepted' AND l.status <> 'accepted' THEN 'replace'
         ELSE 'drop' END AS fate
  WITH p, o, c, l, outgoing, fate, CASE fate
      WHEN 'drop' THEN {rel: properties(c), requester: ca {.id, .email}, target: cb {.id, .email}, kept: l.id}
      WHEN 'replace' THEN {rel: properties(l), requester: la {.id, .email}, target: lb {.id, .email}, kept: c.id}
    END AS dropped,
    CASE WHEN c.liveKey IS NULL THEN null
         WHEN p.key < o.key THEN p.key + ':' + o.key ELSE o.key + ':' + p.key END AS liveKey,
    properties(c) AS props
  DELETE c
  FOREACH (_ IN CASE WHEN fate = 'replace' THEN [1] ELSE [] END | DELETE l)
  FOREACH (_ IN CASE WHEN fate <> 'drop' AND outgoing THEN [1] ELSE [] END |
    CREATE (p)-[n:CONNECTED]->(o) SET n = props, n.liveKey = liveKey)
  FOREACH (_ IN CASE WHEN fate <> 'drop' AND NOT outgoing THEN [1] ELSE [] END |
    CREATE (o)-[n:CONNECTED]->(p) SET n = props, n.liveKey = liveKey)
  FOREACH (_ IN CASE WHEN fate <> 'drop' AND props.status = 'accepted' AND outgoing THEN [1] ELSE [] END |
    CREATE (p)-[:FRIEND]->(o))
  FOREACH (_ IN CASE WHEN fate <> 'drop' AND props.status = 'accepted' AND NOT outgoing THEN [1] ELSE [] END |
    CREATE (o)-[:FRIEND]->(p))
  RETURN collect(dropped) AS connections
}
CALL (e, action) {
  WITH e, action WHERE action = 'fold'
  DETACH DELETE e
}
CALL (p, action) {
  WITH p, action WHERE action IN ['set', 'fold']
  SET p.formerEmails = CASE WHEN p.email IS NULL OR p.email = $email THEN p.formerEmails
                            ELSE [x IN coalesce(p.formerEmails, []) WHERE x <> p.email] + p.email END,
      p.email = $email, p.claimedAt = coalesce(p.claimedAt, datetime())
}
RETURN action,
       blockedFollows + followsOut + followsIn AS follows,
       blockedConnections + connections AS connections,
       touched
