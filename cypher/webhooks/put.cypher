// Register or replace one webhook of the org (an index seek on (org, id)). Its
// pending deliveries read url and secret at send time, so a rotated secret signs
// the retries too.
MERGE (w:Webhook {org: $org, id: $id})
  ON CREATE SET w.createdAt = datetime(), w.fresh = true
SET w.url = $url, w.secret = $secret, w.types = $types, w.active = $active, w.updatedAt = datetime()
WITH w, coalesce(w.fresh, false) AS created
REMOVE w.fresh
RETURN created
