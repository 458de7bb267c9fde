-- Answer check set-up (never timed): random posts, plus a few by authors in a block,
-- each with its author and one person of each relation to the author (a friend, an
-- active follower, a follower of the post's page, someone blocked either way, a
-- pending follower), so every visibility rule is exercised on both stores.
WITH picked AS (
  (SELECT p.* FROM post p WHERE p.org = %(org)s ORDER BY random() LIMIT %(n)s)
  UNION ALL
  (SELECT p.* FROM post p WHERE p.org = %(org)s AND EXISTS (SELECT 1 FROM block k WHERE k.a = p.author)
   ORDER BY random() LIMIT 5)
  UNION ALL
  (SELECT p.* FROM post p WHERE p.org = %(org)s AND EXISTS (SELECT 1 FROM follow f WHERE f.followee = p.author
   AND f.status = 'pending') ORDER BY random() LIMIT 5)
)
SELECT p.ext_id, a.ext_id,
  (SELECT q.ext_id FROM friend f JOIN person q ON q.pk = f.b WHERE f.a = p.author ORDER BY random() LIMIT 1),
  (SELECT q.ext_id FROM follow f JOIN person q ON q.pk = f.follower
   WHERE f.followee = p.author AND f.status = 'active' ORDER BY random() LIMIT 1),
  (SELECT q.ext_id FROM page_follow f JOIN person q ON q.pk = f.follower WHERE f.page = p.page LIMIT 1),
  coalesce((SELECT q.ext_id FROM block k JOIN person q ON q.pk = k.b WHERE k.a = p.author LIMIT 1),
           (SELECT q.ext_id FROM follow f JOIN person q ON q.pk = f.follower
            WHERE f.followee = p.author AND f.status = 'pending' LIMIT 1))
FROM picked p JOIN person a ON a.pk = p.author
