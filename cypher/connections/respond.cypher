// The target of a pending request accepts or rejects it ($action). Run after
// connections/lock_pair, so the state read here is the latest committed one --
// which may be no edge at all: a racing withdraw or block that held the pair's
// locks first has deleted it. Every call answers one row with an outcome.
// An accepted connection gets its FRIEND (requester -> target) in this transaction.
OPTIONAL MATCH (x:Person {org: $org, id: $meId})
OPTIONAL MATCH (y:Person {org: $org, email: $meEmail})
WITH coalesce(x, y) AS me
OPTIONAL MATCH (a:Person)-[c:CONNECTED {id: $id}]->(b:Person)
WHERE c.org = $org
WITH me, a, b, c,
  CASE
    WHEN c IS NULL OR me IS NULL OR (me <> a AND me <> b) THEN 'not_found'
    WHEN me <> b THEN 'not_target'
    WHEN c.status <> 'pending' THEN 'not_pending'
    ELSE 'ok'
  END AS outcome
CALL (a, b, c, outcome) {
  WITH a, b, c, outcome WHERE outcome = 'ok'
  SET c.status = CASE $action WHEN 'accept' THEN 'accepted' ELSE 'rejected' END,
      c.respondedAt = datetime(),
      c.liveKey = CASE $action WHEN 'accept' THEN c.liveKey ELSE null END
  FOREACH (_ IN CASE $action WHEN 'accept' THEN [1] ELSE [] END | CREATE (a)-[:FRIEND]->(b))
}
RETURN outcome, {rel: properties(c), requester: a {.id, .email}, target: b {.id, .email}} AS connection
