-- The target accepts a pending request (run after lock_pair): the connection turns
-- accepted and both friend rows are written in the same statement, with the event.
-- Outcomes of cypher/connections/respond: not_found, not_target, not_pending, ok.
WITH me AS (SELECT pk, ext_id FROM person WHERE org = %(org)s AND ext_id = %(me)s),
c AS (SELECT c.* FROM connection c WHERE c.pk = %(id)s),
state AS (
  SELECT c.pk, c.requester, c.recipient,
    CASE
      WHEN c.pk IS NULL OR me.pk IS NULL OR (me.pk <> c.requester AND me.pk <> c.recipient) THEN 'not_found'
      WHEN me.pk <> c.recipient THEN 'not_target'
      WHEN c.status <> 'pending' THEN 'not_pending'
      ELSE 'ok'
    END AS outcome, me.ext_id AS me_id
  FROM (SELECT 1) one LEFT JOIN c ON true LEFT JOIN me ON true
),
upd AS (
  UPDATE connection c SET status = 'accepted', responded_at = now()
  FROM state WHERE state.outcome = 'ok' AND c.pk = state.pk
  RETURNING c.pk, c.requester, c.recipient
),
friends AS (
  INSERT INTO friend (a, b) SELECT requester, recipient FROM upd UNION ALL SELECT recipient, requester FROM upd
),
ev AS (
  INSERT INTO event (org, kind, actor, subject, payload)
  SELECT %(org)s, 'connection.accepted', state.me_id, p.ext_id, jsonb_build_object('connection', upd.pk)
  FROM state, upd JOIN person p ON p.pk = upd.requester
)
SELECT state.outcome FROM state
