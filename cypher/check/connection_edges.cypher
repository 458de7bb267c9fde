// The CONNECTED edges that start at a person of the org and that the connection-events
// check must see: every edge no import made, and an imported one only when a connection
// event names its id ($ids). Its id, its status and whether an import made it.
CALL () {
  MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p
  UNION
  MATCH (p:Person) WHERE p.org = $org AND p.email IS NOT NULL RETURN p
}
MATCH (p)-[c:CONNECTED]->()
WHERE coalesce(c.imported, false) <> true OR c.id IN $ids
RETURN c.id AS id, c.status AS status, coalesce(c.imported, false) AS imported
