-- Answer check set-up (never timed): random people of the org.
SELECT ext_id FROM person WHERE org = %(org)s AND ext_id IS NOT NULL ORDER BY random() LIMIT %(n)s
