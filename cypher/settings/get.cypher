// The acting person's settings; someone never seen has the defaults.
OPTIONAL MATCH (a:Person {org: $org, id: $meId})
OPTIONAL MATCH (b:Person {org: $org, email: $meEmail})
WITH coalesce(a, b) AS me
RETURN coalesce(me.protected, false) AS protected
