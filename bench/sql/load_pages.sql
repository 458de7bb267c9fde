-- Pages from stage_pages, the first row of an id wins; follower counts come at the end.
INSERT INTO page (org, ext_id, name, created_at)
SELECT %(org)s, s.id, s.name, coalesce(s."createdAt"::timestamptz, now())
FROM (SELECT DISTINCT ON (id) * FROM stage_pages WHERE id IS NOT NULL ORDER BY id, line) s
ORDER BY s.id
