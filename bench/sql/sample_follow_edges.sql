-- Answer check set-up (never timed): follows that exist (active or pending), pairs
-- with a block, and follows to protected people: the follow outcomes other than created.
(SELECT a.ext_id, b.ext_id FROM follow f JOIN person a ON a.pk = f.follower JOIN person b ON b.pk = f.followee
 WHERE a.org = %(org)s ORDER BY random() LIMIT %(n)s)
UNION ALL
(SELECT a.ext_id, b.ext_id FROM follow f JOIN person a ON a.pk = f.follower JOIN person b ON b.pk = f.followee
 WHERE a.org = %(org)s AND f.status = 'pending' LIMIT 5)
UNION ALL
(SELECT a.ext_id, b.ext_id FROM block k JOIN person a ON a.pk = k.a JOIN person b ON b.pk = k.b
 WHERE a.org = %(org)s LIMIT 5)
UNION ALL
(SELECT a.ext_id, b.ext_id FROM person b JOIN LATERAL (
   SELECT q.ext_id FROM person q WHERE q.org = b.org AND q.pk <> b.pk
     AND NOT EXISTS (SELECT 1 FROM follow f WHERE f.follower = q.pk AND f.followee = b.pk)
     AND NOT EXISTS (SELECT 1 FROM block k WHERE k.a = q.pk AND k.b = b.pk)
   LIMIT 1) a ON true
 WHERE b.org = %(org)s AND b.protected LIMIT 5)
