-- Answer check set-up (never timed): the most-followed people, whose follower lists are the long ones.
SELECT p.ext_id FROM follow f JOIN person p ON p.pk = f.followee
WHERE p.org = %(org)s AND f.status = 'active'
GROUP BY p.pk, p.ext_id ORDER BY count(*) DESC, p.ext_id LIMIT %(n)s
