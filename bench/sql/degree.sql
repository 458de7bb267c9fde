-- Degrees of separation, at most 3 hops over accepted connections, in fixed-depth
-- joins: depth 1 is one primary-key probe, depth 2 the intersection of the two
-- friend ranges, depth 3 an edge between the two friend sets (meet in the middle).
-- The branches run in order and LIMIT 1 stops at the first that answers, so a
-- shorter path is never searched past (parallel plans are off in this cluster,
-- bench/peer_pg.py). Answers the depth and the path's ids, or no row.
WITH me AS (SELECT pk FROM person WHERE org = %(org)s AND ext_id = %(me)s),
other AS (SELECT pk FROM person WHERE org = %(org)s AND ext_id = %(other)s),
hit AS (
  SELECT 1 AS depth, ARRAY[me.pk, other.pk] AS path
  FROM me, other WHERE %(maxDepth)s >= 1 AND EXISTS (SELECT 1 FROM friend f WHERE f.a = me.pk AND f.b = other.pk)
  UNION ALL
  (SELECT 2, ARRAY[me.pk, f1.b, other.pk]
   FROM me, other, friend f1 JOIN friend f2 ON f2.b = f1.b
   WHERE %(maxDepth)s >= 2 AND f1.a = me.pk AND f2.a = other.pk AND me.pk <> other.pk LIMIT 1)
  UNION ALL
  (SELECT 3, ARRAY[me.pk, f1.b, f3.b, other.pk]
   FROM me, other, friend f1 JOIN friend f2 ON f2.a = f1.b JOIN friend f3 ON f3.b = f2.b
   WHERE %(maxDepth)s >= 3 AND f1.a = me.pk AND f3.a = other.pk AND f1.b <> other.pk AND f2.b <> me.pk
     AND me.pk <> other.pk LIMIT 1)
  LIMIT 1
)
SELECT hit.depth, ARRAY(SELECT p.ext_id FROM unnest(hit.path) WITH ORDINALITY AS u(pk, i)
                        JOIN person p ON p.pk = u.pk ORDER BY u.i) AS path
FROM hit
