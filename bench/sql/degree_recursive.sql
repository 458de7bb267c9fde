-- Degrees of separation the way most people first write it: a WITH RECURSIVE walk from
-- one side over `friend`, a level per iteration, carrying the path, then the shortest
-- arrival. Each level keeps one row per person (DISTINCT ON in the recursive term):
-- without it the walk enumerates every simple path, and a friend of a hub reaches the
-- other hubs at depth 2 and their thousands of friends each at depth 3, which does not
-- finish in minutes (docs/performance.md). It still walks every level up to maxDepth
-- before it orders: the form the benchmark compares with the fixed-depth joins of degree.sql.
WITH RECURSIVE
me AS (SELECT pk FROM person WHERE org = %(org)s AND ext_id = %(me)s),
other AS (SELECT pk FROM person WHERE org = %(org)s AND ext_id = %(other)s),
walk (pk, depth, path) AS (
  SELECT me.pk, 0, ARRAY[me.pk] FROM me
  UNION ALL
  SELECT DISTINCT ON (f.b) f.b, w.depth + 1, w.path || f.b
  FROM walk w JOIN friend f ON f.a = w.pk
  WHERE w.depth < %(maxDepth)s AND f.b <> ALL (w.path)
)
SELECT w.depth, ARRAY(SELECT p.ext_id FROM unnest(w.path) WITH ORDINALITY AS u(pk, i)
                      JOIN person p ON p.pk = u.pk ORDER BY u.i) AS path
FROM walk w, other
WHERE w.pk = other.pk AND w.depth > 0
ORDER BY w.depth
LIMIT 1
