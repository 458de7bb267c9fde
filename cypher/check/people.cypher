// Invariants of identity within one org: every person has the `key` liveKeys are
// built from, emails are stored lower-cased, and no two people share an email
// regardless of case -- which also means no email placeholder (id null) is left
// beside the claimed person with that email. People come from the (org, id) and
// (org, email) indexes; a person with neither is found by the all-orgs scan only.
CALL () {
  MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p
  UNION
  MATCH (p:Person) WHERE p.org = $org AND p.email IS NOT NULL RETURN p
}
WITH collect(p) AS people
CALL (people) {
  UNWIND people AS p
  WITH p WHERE p.key IS NULL
  RETURN 'person without key' AS problem, coalesce(p.id, p.email) AS detail
  UNION
  UNWIND people AS p
  WITH p WHERE p.email IS NOT NULL AND p.email <> toLower(p.email)
  RETURN 'email not lower-cased' AS problem, coalesce(p.id, '(placeholder)') + ' ' + p.email AS detail
  UNION
  UNWIND people AS p
  WITH toLower(p.email) AS email, collect(coalesce(p.id, '(placeholder)')) AS owners
  WHERE email IS NOT NULL AND size(owners) > 1
  RETURN 'email shared by several people' AS problem, email + ': ' + reduce(s = '', o IN owners | s + ' ' + o) AS detail
}
RETURN problem, detail
ORDER BY problem, detail LIMIT $cap
