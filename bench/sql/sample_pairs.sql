-- Answer check set-up (never timed): random friendships (a, b) and a friend c of b
-- who is not a: pairs at degree 1 and (mostly) 2 for mutual and degree.
SELECT a.ext_id, b.ext_id,
  (SELECT q.ext_id FROM friend g JOIN person q ON q.pk = g.b WHERE g.a = f.b AND g.b <> f.a ORDER BY random() LIMIT 1)
FROM friend f JOIN person a ON a.pk = f.a JOIN person b ON b.pk = f.b
WHERE a.org = %(org)s
ORDER BY random() LIMIT %(n)s
