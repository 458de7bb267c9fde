// Invariant: at most one live (pending or accepted, i.e. liveKey set) CONNECTED
// between any two people, whichever direction each edge points. Grouped per
// person, so the memory it needs follows one person's degree, not the org's size.
// The live test sits inside collect() (which drops nulls), not in a WHERE: a WHERE on
// liveKey lets the planner scan the whole liveKey index for every person instead.
CALL () {
  MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p
  UNION
  MATCH (p:Person) WHERE p.org = $org AND p.email IS NOT NULL RETURN p
}
CALL (p) {
  MATCH (p)-[c:CONNECTED]-(o:Person)
  WHERE elementId(p) < elementId(o)
  WITH o, collect(CASE WHEN c.liveKey IS NOT NULL THEN c.id + ' (' + c.status + ')' END) AS live
  WHERE size(live) > 1
  RETURN o, live
}
RETURN coalesce(p.id, p.email) AS a, coalesce(o.id, o.email) AS b, live
ORDER BY a, b LIMIT $cap
