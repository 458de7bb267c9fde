-- Undo of a benchmark follow: the bench leaves both stores as the files made them.
DELETE FROM follow f USING person a, person b
WHERE a.org = %(org)s AND a.ext_id = %(me)s AND b.org = %(org)s AND b.ext_id = %(target)s
  AND f.follower = a.pk AND f.followee = b.pk
RETURNING f.status
