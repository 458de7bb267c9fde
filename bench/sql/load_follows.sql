-- Person follows: the first row of a (follower, followee) pair wins; unknown people,
-- self-follows and pairs with a block either way are skipped, as the importer does.
INSERT INTO follow (follower, followee, status, since)
SELECT DISTINCT ON (a.pk, b.pk) a.pk, b.pk, coalesce(s.status, 'active'), coalesce(s.since::timestamptz, now())
FROM stage_follows s
JOIN person a ON a.org = %(org)s AND a.ext_id = s."followerId"
JOIN person b ON b.org = %(org)s AND b.ext_id = s."followingId"
WHERE coalesce(s."followingType", 'person') = 'person' AND a.pk <> b.pk
  AND NOT EXISTS (SELECT 1 FROM block k WHERE k.a = a.pk AND k.b = b.pk)
ORDER BY a.pk, b.pk, s.line
