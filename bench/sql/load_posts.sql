-- Posts: the first row of an id wins; an unknown author, or a page named but unknown,
-- skips the row, as the importer does.
INSERT INTO post (org, ext_id, author, visibility, page, created_at)
SELECT %(org)s, s.id, a.pk, coalesce(s.visibility, 'public'), g.pk, coalesce(s."createdAt"::timestamptz, now())
FROM (SELECT DISTINCT ON (id) * FROM stage_posts WHERE id IS NOT NULL ORDER BY id, line) s
JOIN person a ON a.org = %(org)s AND a.ext_id = s."authorId"
LEFT JOIN page g ON g.org = %(org)s AND g.ext_id = s."pageId"
WHERE s."pageId" IS NULL OR g.pk IS NOT NULL
ORDER BY s.id
