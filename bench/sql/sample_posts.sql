-- Answer check set-up (never timed): random posts of the org, for the 1,000-post visibility calls.
SELECT ext_id FROM post WHERE org = %(org)s ORDER BY random() LIMIT %(n)s
