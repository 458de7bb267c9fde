// The FOLLOWS edges that start at a person of the org and that the follow-events check
// must see: every edge no import made, and an imported one only when its follower has a
// name some follow event was made by ($actors), as only then can an event name it (or
// has former emails, rare, which the checker matches itself; a property of an unexpected
// type lets the edge through rather than failing the check).
// With the names events use for both ends (user id, email or a former email; page id),
// its status (active, or pending) and whether an import made it. On a bulk-loaded org
// almost every edge is imported and none is named, so few rows leave the server.
CALL () {
  MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p
  UNION
  MATCH (p:Person) WHERE p.org = $org AND p.email IS NOT NULL RETURN p
}
MATCH (p)-[r:FOLLOWS]->(t)
WHERE coalesce(r.imported, false) <> true OR p.id IN $actors OR p.email IN $actors OR p.formerEmails IS NOT NULL
RETURN p.id AS fromId, p.email AS fromEmail, r.status AS status,
       CASE WHEN t:Page THEN 'page' ELSE 'person' END AS kind, t.id AS toId, t.email AS toEmail,
       p.formerEmails AS fromFormer, t.formerEmails AS toFormer, coalesce(r.imported, false) AS imported
