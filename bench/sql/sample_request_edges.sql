-- Answer check set-up (never timed): one's own pending requests (asked again: still
-- pending) and pairs with a block: the request outcomes other than created.
(SELECT a.ext_id, b.ext_id FROM connection c JOIN person a ON a.pk = c.requester JOIN person b ON b.pk = c.recipient
 WHERE a.org = %(org)s AND c.status = 'pending' ORDER BY random() LIMIT %(n)s)
UNION ALL
(SELECT a.ext_id, b.ext_id FROM block k JOIN person a ON a.pk = k.a JOIN person b ON b.pk = k.b
 WHERE a.org = %(org)s LIMIT 5)
