// `graphsvc check --repair`: rewrite stored event payloads with valid text. Each fix
// names the text it replaces, so a payload changed since the check is left alone.
UNWIND $fixes AS fix
MATCH (e:Event {org: $org, seq: fix.seq})
WHERE e.payload = fix.old
SET e.payload = fix.new
RETURN count(e) AS fixed
