// Follower and following counts of the acting person: active follows only.
OPTIONAL MATCH (a:Person {org: $org, id: $meId})
OPTIONAL MATCH (b:Person {org: $org, email: $meEmail})
WITH coalesce(a, b) AS me
RETURN CASE WHEN me IS NULL THEN 0 ELSE COUNT { (me)<-[r:FOLLOWS]-() WHERE r.status = 'active' } END AS followers,
       CASE WHEN me IS NULL THEN 0 ELSE COUNT { (me)-[r:FOLLOWS]->() WHERE r.status = 'active' } END AS following
