-- Undo of a benchmark request + accept: the pair's live connection and both friend
-- rows go, so both stores stay as the files made them.
WITH a AS (SELECT pk FROM person WHERE org = %(org)s AND ext_id = %(a)s),
b AS (SELECT pk FROM person WHERE org = %(org)s AND ext_id = %(b)s),
gone AS (
  DELETE FROM connection c USING a, b
  WHERE least(c.requester, c.recipient) = least(a.pk, b.pk) AND greatest(c.requester, c.recipient) = greatest(a.pk, b.pk)
    AND c.status IN ('pending', 'accepted')
  RETURNING c.pk
),
unfriend AS (
  DELETE FROM friend f USING a, b WHERE (f.a = a.pk AND f.b = b.pk) OR (f.a = b.pk AND f.b = a.pk)
)
SELECT count(*) AS removed FROM gone
