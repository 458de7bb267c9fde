-- The accepted connections both ways, for one org's people: the adjacency the reads walk.
INSERT INTO friend (a, b)
SELECT c.requester, c.recipient FROM connection c JOIN person p ON p.pk = c.requester
WHERE p.org = %(org)s AND c.status = 'accepted'
UNION ALL
SELECT c.recipient, c.requester FROM connection c JOIN person p ON p.pk = c.requester
WHERE p.org = %(org)s AND c.status = 'accepted'
ORDER BY 1, 2
