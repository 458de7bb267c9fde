-- People from stage_people: the first row of an id wins; an email goes to the first
-- person who has it (as the importer records one only when nobody holds it yet).
-- Keys are given in external-id order, so ordering by key is ordering by id: pages
-- sorted by person can be cut on the key before anything joins `person`.
INSERT INTO person (org, ext_id, email, protected, created_at)
SELECT %(org)s, s.id, CASE WHEN s.email_rank = 1 THEN s.email END, coalesce(s.protected = 'true', false),
       coalesce(s."createdAt"::timestamptz, now())
FROM (
  SELECT d.*, row_number() OVER (PARTITION BY d.email ORDER BY d.line) AS email_rank
  FROM (SELECT DISTINCT ON (id) * FROM stage_people WHERE id IS NOT NULL ORDER BY id, line) d
) s
ORDER BY s.id
