// whole-graph: enumerates tenants for `graphsvc check` without --org
// All-orgs mode of `graphsvc check` only: every tenant that owns a node. There is
// no index to enumerate tenants, so this is a whole-graph label scan by design;
// `graphsvc check --org ORG` never runs it.
CALL () {
  MATCH (n:Person) RETURN DISTINCT n.org AS org
  UNION
  MATCH (n:Page) RETURN DISTINCT n.org AS org
  UNION
  MATCH (n:Post) RETURN DISTINCT n.org AS org
  UNION
  MATCH (n:Org) RETURN n.id AS org
}
WITH org WHERE org IS NOT NULL
RETURN org ORDER BY org
