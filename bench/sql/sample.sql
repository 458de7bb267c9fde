-- Answer check set-up (never timed): random posts, plus a few chosen so that every
-- visibility rule comes up (authors in a block, authors with pending followers, posts
-- of each visibility, followers-only posts in a page), each with its author and one person of each
-- relation to the author: a friend, an active follower who is not a friend, a
-- follower of the post's page who is neither, someone blocked either way (or else a
-- pending follower).
WITH picked AS (
  (SELECT p.* FROM post p WHERE p.org = %(org)s ORDER BY random() LIMIT %(n)s / 2)
  UNION ALL
  (SELECT p.* FROM post p WHERE p.org = %(org)s AND EXISTS (SELECT 1 FROM block k WHERE k.a = p.author)
   ORDER BY random() LIMIT 3)
  UNION ALL
  (SELECT p.* FROM post p WHERE p.org = %(org)s AND EXISTS (SELECT 1 FROM follow f WHERE f.followee = p.author
   AND f.status = 'pending') ORDER BY random() LIMIT 3)
  UNION ALL
  (SELECT p.* FROM post p WHERE p.org = %(org)s AND p.visibility = 'followers' ORDER BY random() LIMIT 3)
  UNION ALL
  (SELECT p.* FROM post p WHERE p.org = %(org)s AND p.visibility = 'connections' ORDER BY random() LIMIT 2)
  UNION ALL
  (SELECT p.* FROM post p WHERE p.org = %(org)s AND p.visibility = 'private' ORDER BY random() LIMIT 2)
  UNION ALL
  (SELECT p.* FROM post p WHERE p.org = %(org)s AND p.visibility = 'followers' AND p.page IS NOT NULL
   ORDER BY random() LIMIT 3)
)
SELECT p.ext_id, a.ext_id,
  (SELECT q.ext_id FROM friend f JOIN person q ON q.pk = f.b WHERE f.a = p.author ORDER BY random() LIMIT 1),
  (SELECT q.ext_id FROM follow f JOIN person q ON q.pk = f.follower
   WHERE f.followee = p.author AND f.status = 'active'
     AND NOT EXISTS (SELECT 1 FROM friend x WHERE x.a = f.follower AND x.b = p.author)
   ORDER BY random() LIMIT 1),
  (SELECT q.ext_id FROM page_follow f JOIN person q ON q.pk = f.follower
   WHERE f.page = p.page AND NOT EXISTS (SELECT 1 FROM friend x WHERE x.a = f.follower AND x.b = p.author)
     AND NOT EXISTS (SELECT 1 FROM follow x WHERE x.follower = f.follower AND x.followee = p.author)
   LIMIT 1),
  coalesce((SELECT q.ext_id FROM block k JOIN person q ON q.pk = k.b WHERE k.a = p.author LIMIT 1),
           (SELECT q.ext_id FROM follow f JOIN person q ON q.pk = f.follower
            WHERE f.followee = p.author AND f.status = 'pending' LIMIT 1))
FROM picked p JOIN person a ON a.pk = p.author
