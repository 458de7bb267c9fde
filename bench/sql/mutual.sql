-- Mutual accepted connections of two people: the intersection of two primary-key
-- ranges of `friend` (a merge join on b, both already in key order), counted, and
-- one page cut on the key (key order is id order, load_people) before `person` is
-- joined for the page's ids only. `after` is the previous page's last id.
WITH me AS (SELECT pk FROM person WHERE org = %(org)s AND ext_id = %(me)s),
other AS (SELECT pk FROM person WHERE org = %(org)s AND ext_id = %(other)s),
m AS MATERIALIZED (
  SELECT f1.b AS pk FROM me, other, friend f1 JOIN friend f2 ON f2.b = f1.b
  WHERE f1.a = me.pk AND f2.a = other.pk AND me.pk <> other.pk
),
cut AS (
  SELECT m.pk FROM m
  WHERE %(after)s::text IS NULL OR m.pk > (SELECT pk FROM person WHERE org = %(org)s AND ext_id = %(after)s::text)
  ORDER BY m.pk OFFSET %(skip)s LIMIT %(limit)s
)
SELECT (SELECT count(*) FROM m) AS total, p.ext_id AS id, p.email
FROM (SELECT 1) one
LEFT JOIN (cut JOIN person p ON p.pk = cut.pk) ON true
ORDER BY cut.pk
