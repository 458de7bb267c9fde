-- `me` follows the person `target` (both locked by lock_pair in this transaction):
-- the outcomes of cypher/follows/follow_person in its order: self, pending (asked
-- before, still pending), exists, blocked, limit, requested (target protected: a
-- pending follow) or created; a new follow writes its event in the same statement.
WITH me AS (SELECT pk, ext_id FROM person WHERE org = %(org)s AND ext_id = %(me)s),
t AS (SELECT pk, ext_id, protected FROM person WHERE org = %(org)s AND ext_id = %(target)s),
state AS (
  SELECT me.pk AS me, t.pk AS t, me.ext_id AS me_id, t.ext_id AS t_id,
    CASE
      WHEN me.pk = t.pk THEN 'self'
      WHEN x.status = 'pending' THEN 'pending'
      WHEN x.status IS NOT NULL THEN 'exists'
      WHEN EXISTS (SELECT 1 FROM block k WHERE k.a = me.pk AND k.b = t.pk) THEN 'blocked'
      WHEN (SELECT count(*) FROM follow f WHERE f.follower = me.pk)
           + (SELECT count(*) FROM page_follow f WHERE f.follower = me.pk) >= %(maxFollows)s THEN 'limit'
      WHEN t.protected THEN 'requested'
      ELSE 'created'
    END AS outcome
  FROM me CROSS JOIN t LEFT JOIN follow x ON x.follower = me.pk AND x.followee = t.pk
),
ins AS (
  INSERT INTO follow (follower, followee, status, since)
  SELECT state.me, state.t, CASE state.outcome WHEN 'created' THEN 'active' ELSE 'pending' END, now()
  FROM state WHERE state.outcome IN ('created', 'requested')
  RETURNING follower
),
ev AS (
  INSERT INTO event (org, kind, actor, subject, payload)
  SELECT %(org)s, CASE state.outcome WHEN 'created' THEN 'follow.created' ELSE 'follow.requested' END,
         state.me_id, state.t_id, jsonb_build_object('following', jsonb_build_object('type', 'person', 'id', state.t_id))
  FROM state, ins
)
SELECT state.outcome FROM state
