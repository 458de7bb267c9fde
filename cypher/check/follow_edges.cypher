// Every FOLLOWS edge that starts at a person of the org, with the names events use
// for both ends (user id, email or a former email; page id), its status (active, or
// pending) and whether an import made it (no event behind it).
CALL () {
  MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p
  UNION
  MATCH (p:Person) WHERE p.org = $org AND p.email IS NOT NULL RETURN p
}
MATCH (p)-[r:FOLLOWS]->(t)
RETURN p.id AS fromId, p.email AS fromEmail, r.status AS status,
       CASE WHEN t:Page THEN 'page' ELSE 'person' END AS kind, t.id AS toId, t.email AS toEmail,
       p.formerEmails AS fromFormer, t.formerEmails AS toFormer, coalesce(r.imported, false) AS imported
