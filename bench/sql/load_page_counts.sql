-- Each page's follower_count, exactly, once every page follow is in.
UPDATE page g SET follower_count = n.n
FROM (SELECT f.page, count(*) AS n FROM page_follow f GROUP BY f.page) n
WHERE g.pk = n.page AND g.org = %(org)s
