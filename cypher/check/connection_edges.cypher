// Every CONNECTED edge that starts at a person of the org: its id, its status and
// whether an import made it (no event behind it).
CALL () {
  MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p
  UNION
  MATCH (p:Person) WHERE p.org = $org AND p.email IS NOT NULL RETURN p
}
MATCH (p)-[c:CONNECTED]->()
RETURN c.id AS id, c.status AS status, coalesce(c.imported, false) AS imported
