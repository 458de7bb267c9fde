// Bulk import (graphsvc import): one batch of people, merged on the (org, id)
// uniqueness constraint so a re-run finds them and changes nothing. `key` (the
// liveKey ingredient) comes from the input when given, so a generated graph is
// reproducible; an email is recorded only when nobody in the org holds it yet
// (folding an email placeholder into a user is the sign-in claim's job). `protected`
// is set when the row says it.
UNWIND $rows AS row
MERGE (p:Person {org: $org, id: row.id})
  ON CREATE SET p.key = coalesce(row.key, randomUUID()),
                p.createdAt = coalesce(datetime(row.createdAt), datetime())
FOREACH (_ IN CASE WHEN row.protected IS NULL THEN [] ELSE [1] END | SET p.protected = row.protected)
WITH p, row
CALL (p, row) {
  WITH p, row
  WHERE row.email IS NOT NULL AND p.email IS NULL
    AND NOT EXISTS { MATCH (o:Person {org: $org, email: row.email}) }
  SET p.email = row.email
}
RETURN count(*) AS written
