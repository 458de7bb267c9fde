-- Page follows (always active): the first row of a pair wins; unknown people or pages skipped.
INSERT INTO page_follow (follower, page, since)
SELECT DISTINCT ON (a.pk, g.pk) a.pk, g.pk, coalesce(s.since::timestamptz, now())
FROM stage_follows s
JOIN person a ON a.org = %(org)s AND a.ext_id = s."followerId"
JOIN page g ON g.org = %(org)s AND g.ext_id = s."followingId"
WHERE s."followingType" = 'page'
ORDER BY a.pk, g.pk, s.line
