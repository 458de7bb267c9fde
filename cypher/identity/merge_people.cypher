// Every person a write names, created on first mention (by user id or by email),
// then write-locked in a fixed order (by key) so that two writes about the same
// people are serialised by the database and cannot deadlock each other.
// Returns [reference, elementId] pairs.
CALL () {
  UNWIND $ids AS id
  MERGE (p:Person {org: $org, id: id})
    ON CREATE SET p.key = randomUUID(), p.createdAt = datetime()
  RETURN collect([id, p]) AS byId
}
CALL () {
  UNWIND $emails AS email
  MERGE (p:Person {org: $org, email: email})
    ON CREATE SET p.key = randomUUID(), p.createdAt = datetime()
  RETURN collect([email, p]) AS byEmail
}
WITH byId + byEmail AS pairs
CALL (pairs) {
  UNWIND pairs AS pair
  WITH DISTINCT pair[1] AS p
  ORDER BY p.key
  SET p._lock = true
  REMOVE p._lock
}
RETURN [pair IN pairs | [pair[0], elementId(pair[1])]] AS pairs
