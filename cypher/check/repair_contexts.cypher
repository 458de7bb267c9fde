// `graphsvc check --repair`: rewrite stored connection contexts with valid text. Each
// fix names the text it replaces, so a context changed since the check is left alone.
UNWIND $fixes AS fix
MATCH ()-[c:CONNECTED {id: fix.id}]->()
WHERE c.org = $org AND c.context = fix.old
SET c.context = fix.new
RETURN count(c) AS fixed
