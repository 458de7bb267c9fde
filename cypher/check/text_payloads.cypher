// Events of the org (a range seek on (org, seq)) whose stored `payload` (JSON text)
// may decode to a lone UTF-16 surrogate or a non-finite number; the checker parses
// the candidates to be sure (see text_contexts).
MATCH (e:Event)
WHERE e.org = $org AND e.seq IS NOT NULL
  AND (e.payload CONTAINS '\\ud' OR e.payload CONTAINS '\\uD'
       OR e.payload CONTAINS 'NaN' OR e.payload CONTAINS 'Infinity')
RETURN e.seq AS seq, e.payload AS text
ORDER BY seq
