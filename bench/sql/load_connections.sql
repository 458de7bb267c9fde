-- Connections and requests: the first live (pending or accepted) row of an unordered
-- pair wins, a rejected row is kept once per (id, or requester, target, requestedAt);
-- unknown people, self-requests and pairs with a block either way are skipped, as
-- the importer does.
INSERT INTO connection (requester, recipient, status, message, context, requested_at, responded_at)
SELECT c.requester, c.recipient, c.status, c.message, c.context, c.requested_at,
       CASE WHEN c.status = 'pending' THEN NULL ELSE coalesce(c.responded_at, c.requested_at) END
FROM (
  SELECT DISTINCT ON (CASE WHEN coalesce(s.status, 'accepted') = 'rejected'
                           THEN coalesce(s.id, s."requesterId" || '|' || s."targetId" || '|' || coalesce(s."requestedAt", ''))
                           ELSE least(a.pk, b.pk) || ':' || greatest(a.pk, b.pk) END)
         a.pk AS requester, b.pk AS recipient, coalesce(s.status, 'accepted') AS status, s.message,
         nullif(s.context, '')::jsonb AS context, coalesce(s."requestedAt"::timestamptz, now()) AS requested_at,
         s."respondedAt"::timestamptz AS responded_at, s.line
  FROM stage_connections s
  JOIN person a ON a.org = %(org)s AND a.ext_id = s."requesterId"
  JOIN person b ON b.org = %(org)s AND b.ext_id = s."targetId"
  WHERE a.pk <> b.pk AND NOT EXISTS (SELECT 1 FROM block k WHERE k.a = a.pk AND k.b = b.pk)
  ORDER BY CASE WHEN coalesce(s.status, 'accepted') = 'rejected'
                THEN coalesce(s.id, s."requesterId" || '|' || s."targetId" || '|' || coalesce(s."requestedAt", ''))
                ELSE least(a.pk, b.pk) || ':' || greatest(a.pk, b.pk) END, s.line
) c
ORDER BY c.line
