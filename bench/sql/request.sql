-- `me` asks `target` to connect (both locked by lock_pair in this transaction): the
-- outcomes of cypher/connections/request in its order: self, blocked, connected,
-- pending (mine, still pending), accept (theirs was pending: accepted now, both
-- friend rows written), limit, created. The event is written in the same statement.
WITH me AS (SELECT pk, ext_id FROM person WHERE org = %(org)s AND ext_id = %(me)s),
t AS (SELECT pk, ext_id FROM person WHERE org = %(org)s AND ext_id = %(target)s),
state AS (
  SELECT me.pk AS me, t.pk AS t, me.ext_id AS me_id, t.ext_id AS t_id, live.pk AS live,
    CASE
      WHEN me.pk = t.pk THEN 'self'
      WHEN EXISTS (SELECT 1 FROM block k WHERE k.a = me.pk AND k.b = t.pk) THEN 'blocked'
      WHEN live.status = 'accepted' THEN 'connected'
      WHEN live.requester = me.pk THEN 'pending'
      WHEN live.pk IS NOT NULL THEN 'accept'
      WHEN (SELECT count(*) FROM connection c WHERE c.requester = me.pk AND c.status = 'pending') >= %(maxPending)s
        THEN 'limit'
      ELSE 'created'
    END AS outcome
  FROM me CROSS JOIN t
  LEFT JOIN connection live ON least(live.requester, live.recipient) = least(me.pk, t.pk)
    AND greatest(live.requester, live.recipient) = greatest(me.pk, t.pk) AND live.status IN ('pending', 'accepted')
),
created AS (
  INSERT INTO connection (requester, recipient, status, message, requested_at)
  SELECT state.me, state.t, 'pending', %(message)s, now() FROM state WHERE state.outcome = 'created'
  RETURNING pk
),
accepted AS (
  UPDATE connection c SET status = 'accepted', responded_at = now()
  FROM state WHERE state.outcome = 'accept' AND c.pk = state.live
  RETURNING c.pk
),
friends AS (
  INSERT INTO friend (a, b)
  SELECT state.me, state.t FROM state, accepted UNION ALL SELECT state.t, state.me FROM state, accepted
),
ev AS (
  INSERT INTO event (org, kind, actor, subject, payload)
  SELECT %(org)s, CASE state.outcome WHEN 'created' THEN 'connection.requested' ELSE 'connection.accepted' END,
         state.me_id, state.t_id, jsonb_build_object('connection', coalesce(n.pk, a.pk))
  FROM state LEFT JOIN created n ON true LEFT JOIN accepted a ON true
  WHERE state.outcome IN ('created', 'accept')
)
SELECT state.outcome, coalesce((SELECT pk FROM created), (SELECT pk FROM accepted), state.live) AS id FROM state
