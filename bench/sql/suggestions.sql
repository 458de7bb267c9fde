-- People you may know: friends of friends, ranked by how many of your friends know
-- them. The same caps as graphsvc (graphsvc/domain/graph.py): at most maxFriends of
-- your friends, at most fanout friends of each (neither cap picks which: an
-- unordered LIMIT, as in cypher/graph/suggestions). Excluded: you, anyone with a
-- live connection either way (the connection_live index) and blocks either way.
-- Ranked by count, then key (= id order); the page is cut before `person` is joined.
WITH me AS (SELECT pk FROM person WHERE org = %(org)s AND ext_id = %(me)s),
f AS (SELECT f.b FROM me, friend f WHERE f.a = me.pk LIMIT %(maxFriends)s),
s AS MATERIALIZED (
  SELECT ff.b AS pk, count(*) AS mutual
  FROM me, f CROSS JOIN LATERAL (SELECT x.b FROM friend x WHERE x.a = f.b AND x.b <> me.pk LIMIT %(fanout)s) ff
  WHERE NOT EXISTS (SELECT 1 FROM connection c
                    WHERE least(c.requester, c.recipient) = least(me.pk, ff.b)
                      AND greatest(c.requester, c.recipient) = greatest(me.pk, ff.b)
                      AND c.status IN ('pending', 'accepted'))
    AND NOT EXISTS (SELECT 1 FROM block k WHERE k.a = me.pk AND k.b = ff.b)
  GROUP BY ff.b
),
cut AS (SELECT s.pk, s.mutual FROM s ORDER BY s.mutual DESC, s.pk OFFSET %(skip)s LIMIT %(limit)s)
SELECT (SELECT count(*) FROM s) AS total, p.ext_id AS id, p.email, cut.mutual
FROM (SELECT 1) one
LEFT JOIN (cut JOIN person p ON p.pk = cut.pk) ON true
ORDER BY cut.mutual DESC, cut.pk
