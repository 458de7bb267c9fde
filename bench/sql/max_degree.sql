-- Answer check set-up (never timed): the most friends anyone in the org has, to tell
-- whether graphsvc's suggestion caps bind anywhere.
SELECT max(n) FROM (SELECT count(*) AS n FROM friend f JOIN person p ON p.pk = f.a
                    WHERE p.org = %(org)s GROUP BY f.a) x
