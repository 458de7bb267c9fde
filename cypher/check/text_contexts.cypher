// Connections of the org whose stored `context` (JSON text) may decode to a lone
// UTF-16 surrogate or a non-finite number: what versions before the edge refused
// them could store. Only an escape of a code unit D800-DFFF (backslash, u, d...) can
// decode to a surrogate, and only NaN/Infinity to a non-finite number, so a substring
// test picks the candidates and the checker parses them to be sure.
CALL () {
  MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p
  UNION
  MATCH (p:Person) WHERE p.org = $org AND p.email IS NOT NULL RETURN p
}
MATCH (p)-[c:CONNECTED]->()
WHERE c.context CONTAINS '\\ud' OR c.context CONTAINS '\\uD'
   OR c.context CONTAINS 'NaN' OR c.context CONTAINS 'Infinity'
RETURN c.id AS id, c.context AS text
ORDER BY id
