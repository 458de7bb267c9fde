-- Blocks, both ways: (blocker, blocked, a_blocked) and (blocked, blocker, not
-- a_blocked), merged when both blocked each other. Loaded before follows and
-- connections, which skip blocked pairs: the importer's blocks delete them.
INSERT INTO block (a, b, a_blocked, since)
SELECT x.a, x.b, bool_or(x.a_blocked), min(x.since)
FROM (
  SELECT a.pk AS a, b.pk AS b, true AS a_blocked, coalesce(s.since::timestamptz, now()) AS since
  FROM stage_blocks s
  JOIN person a ON a.org = %(org)s AND a.ext_id = s."blockerId"
  JOIN person b ON b.org = %(org)s AND b.ext_id = s."blockedId"
  WHERE a.pk <> b.pk
  UNION ALL
  SELECT b.pk, a.pk, false, coalesce(s.since::timestamptz, now())
  FROM stage_blocks s
  JOIN person a ON a.org = %(org)s AND a.ext_id = s."blockerId"
  JOIN person b ON b.org = %(org)s AND b.ext_id = s."blockedId"
  WHERE a.pk <> b.pk
) x
GROUP BY x.a, x.b
