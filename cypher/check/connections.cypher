// Invariants of each CONNECTED edge that starts at a person of the org: it carries
// this org and an id, joins two different people, has a known status, and has a
// liveKey exactly while pending or accepted -- the pair's key, so that the
// connection_live constraint really does refuse a second live edge.
CALL () {
  MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p
  UNION
  MATCH (p:Person) WHERE p.org = $org AND p.email IS NOT NULL RETURN p
}
MATCH (p)-[c:CONNECTED]->(o)
WITH p, o, c,
  CASE WHEN p.key < o.key THEN p.key + ':' + o.key ELSE o.key + ':' + p.key END AS pairKey
WITH p, o, c, [x IN [
    CASE WHEN NOT o:Person THEN 'joins a non-person' END,
    CASE WHEN p = o THEN 'joins a person with themself' END,
    CASE WHEN c.org IS NULL OR c.org <> $org THEN 'org property missing or wrong' END,
    CASE WHEN c.id IS NULL THEN 'no id' END,
    CASE WHEN NOT coalesce(c.status IN ['pending', 'accepted', 'rejected'], false) THEN 'unknown status' END,
    CASE WHEN (c.liveKey IS NOT NULL) <> coalesce(c.status IN ['pending', 'accepted'], false)
         THEN 'liveKey set iff pending or accepted does not hold' END,
    CASE WHEN c.liveKey IS NOT NULL AND c.liveKey <> pairKey THEN 'liveKey is not the pair key' END
  ] WHERE x IS NOT NULL] AS problems
WHERE size(problems) > 0
RETURN coalesce(c.id, elementId(c)) AS connection, coalesce(p.id, p.email) AS requester,
       coalesce(o.id, o.email) AS target, c.status AS status, problems
ORDER BY connection LIMIT $cap
