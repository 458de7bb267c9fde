-- Can the viewer see each of these posts (1 to 1,000)? One statement, the rules of
-- CONTRACT.md in cypher/visibility/check_stored's order and with its reasons; every
-- check is one primary-key probe (block, friend, follow, page_follow, mute). Answers
-- three arrays in the order asked, as the Cypher statement does (the verdicts are
-- materialized: two aggregates over an inlined CASE would evaluate it twice).
WITH v AS (SELECT pk FROM person WHERE org = %(org)s AND ext_id = %(viewer)s),
ids AS (SELECT u.id, u.i FROM unnest(%(postIds)s::text[]) WITH ORDINALITY AS u(id, i)),
verdict AS MATERIALIZED (
  SELECT ids.i,
    CASE
      WHEN p.pk IS NULL THEN 'not_found'
      WHEN v.pk = p.author THEN 'author'
      WHEN v.pk IS NOT NULL AND EXISTS (SELECT 1 FROM block k WHERE k.a = v.pk AND k.b = p.author) THEN 'blocked'
      WHEN p.visibility = 'public' THEN 'public'
      WHEN p.visibility = 'private' THEN 'private'
      WHEN v.pk IS NULL THEN 'unknown_viewer'
      WHEN EXISTS (SELECT 1 FROM friend f WHERE f.a = v.pk AND f.b = p.author) THEN 'connection'
      WHEN p.visibility = 'connections' THEN 'not_connected'
      WHEN EXISTS (SELECT 1 FROM follow f WHERE f.follower = v.pk AND f.followee = p.author AND f.status = 'active')
        THEN 'follower'
      WHEN p.page IS NOT NULL AND EXISTS (SELECT 1 FROM page_follow f WHERE f.follower = v.pk AND f.page = p.page)
        THEN 'page_follower'
      ELSE 'not_follower'
    END AS reason,
    v.pk IS NOT NULL AND p.pk IS NOT NULL
      AND EXISTS (SELECT 1 FROM mute m WHERE m.muter = v.pk AND m.muted = p.author) AS muted
  FROM ids
  LEFT JOIN post p ON p.org = %(org)s AND p.ext_id = ids.id
  LEFT JOIN v ON true
)
SELECT array_agg(reason IN ('author', 'public', 'connection', 'follower', 'page_follower') ORDER BY i) AS visible,
       array_agg(reason ORDER BY i) AS reasons, array_agg(muted ORDER BY i) AS muted
FROM verdict
