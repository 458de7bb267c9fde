// Replace plaintext signing secrets with their sealed form, each by its (org, id)
// index entry, and only if the secret is still the one that was sealed (a PUT in
// between wins).
UNWIND $rows AS row
MATCH (w:Webhook {org: row.org, id: row.id})
WHERE w.secret = row.plain
SET w.secret = row.sealed
RETURN count(w) AS sealed
