// `$me` (merged and locked) sets their settings; the previous value is returned so
// the caller knows whether protection was just turned off.
MATCH (me:Person) WHERE elementId(me) = $me AND me.org = $org
WITH me, coalesce(me.protected, false) AS was
SET me.protected = $protected
RETURN was, me.protected AS protected
