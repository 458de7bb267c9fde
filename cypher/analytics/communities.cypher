// title: Communities of accepted connections
// description: Connected components of the accepted-connection graph: groups of members
//   who reach each other through accepted connections. Each is named by its first
//   member (by user id, else email); members are listed in that order. Members without
//   any accepted connection are left out.
// param: limit (int, default 20): how many communities to list, largest first
// param: maxMembers (int, default 100): how many members to list per community
// Per member, a breadth-first search (ANY SHORTEST) over accepted connections from an
// index seek; fine per org, while a graph-algorithms library would suit a huge org.
CALL () {
  MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p
  UNION
  MATCH (p:Person) WHERE p.org = $org AND p.email IS NOT NULL AND p.id IS NULL RETURN p
}
WITH p WHERE EXISTS { (p)-[c:CONNECTED]-(:Person) WHERE c.status = 'accepted' AND c.org = $org }
WITH p, COLLECT {
  MATCH ANY SHORTEST (p)-[c:CONNECTED WHERE c.status = 'accepted' AND c.org = $org]-{0,}(q:Person)
  WITH coalesce(q.id, q.email) AS name ORDER BY name
  RETURN name
} AS members
WITH members, count(p) AS size
RETURN members[0] AS community, size, members[0..$maxMembers] AS members
ORDER BY size DESC, community
LIMIT $limit
