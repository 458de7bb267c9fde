-- Who actively follows a person, newest first (ties by key = id order): a range scan
-- of follow_followers, then `person` for the page's ids only. Two ways to a deep page,
-- as the service has: `skip` (page=N) or the previous page's last (since, id) as
-- afterSince/afterId (a cursor), where `since <= afterSince` bounds the index scan (in
-- a generic plan too) and the ties up to afterId are filtered. The total is an index-only count. The person is
-- a scalar subquery, a constant to the planner, so the index is read in page order.
WITH cut AS (
  SELECT f.follower, f.since FROM follow f
  WHERE f.followee = (SELECT pk FROM person WHERE org = %(org)s AND ext_id = %(me)s) AND f.status = 'active'
    AND f.since <= coalesce(%(afterSince)s::timestamptz, 'infinity')
    AND (%(afterSince)s::timestamptz IS NULL OR f.since < %(afterSince)s::timestamptz
         OR f.follower > (SELECT pk FROM person WHERE org = %(org)s AND ext_id = %(afterId)s::text))
  ORDER BY f.since DESC, f.follower OFFSET %(skip)s LIMIT %(limit)s
)
SELECT (SELECT count(*) FROM follow f WHERE f.status = 'active'
          AND f.followee = (SELECT pk FROM person WHERE org = %(org)s AND ext_id = %(me)s)) AS total,
       p.ext_id AS id, p.email, cut.since
FROM (SELECT 1) one
LEFT JOIN (cut JOIN person p ON p.pk = cut.follower) ON true
ORDER BY cut.since DESC, cut.follower
