-- People you may know: friends of friends, ranked by how many of your friends know
-- them. The same caps as graphsvc (graphsvc/domain/graph.py), cut in the same order
-- (cypher/graph/suggestions): the maxFriends of your friends with the smallest keys,
-- and of each friend's friends (you left out) the fanout with the smallest keys. Key
-- order is id order (load_people), and `friend`'s primary key is (a, b): each friend's
-- cut is the first rows of a primary-key range scan (your own friends get a top-N
-- sort of your range, which the planner prefers). Excluded: you, anyone with a
-- live connection either way (the connection_live index) and blocks either way.
-- Ranked by count, then key; the page is cut before `person` is joined.
WITH me AS (SELECT pk FROM person WHERE org = %(org)s AND ext_id = %(me)s),
f AS (SELECT f.b FROM me, friend f WHERE f.a = me.pk ORDER BY f.b LIMIT %(maxFriends)s),
s AS MATERIALIZED (
  SELECT ff.b AS pk, count(*) AS mutual
  FROM me, f CROSS JOIN LATERAL (SELECT x.b FROM friend x WHERE x.a = f.b AND x.b <> me.pk ORDER BY x.b LIMIT %(fanout)s) ff
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
