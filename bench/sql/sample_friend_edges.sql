-- Set-up only (never timed): the org's friendships by id, for the breadth-first search
-- in Python that finds pairs at distance 4-6 for degree_6.
SELECT a.ext_id, b.ext_id
FROM person a JOIN friend f ON f.a = a.pk JOIN person b ON b.pk = f.b
WHERE a.org = %(org)s
