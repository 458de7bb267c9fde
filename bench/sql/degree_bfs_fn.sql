-- Degrees of separation up to 6 hops with the path, the form a competent engineer writes
-- for depths where fixed joins no longer fit: a bidirectional BFS over `friend`, each
-- step expanding whole the side whose last level is smaller, stopping at the first level
-- where the two sides meet, the path rebuilt from each side's parent map. The maps are
-- session temporary tables keyed on pk (created once per connection, truncated per call: a DELETE would leave dead rows that later level scans read),
-- so membership is an index probe. Answers the depth and the path's ids, or no row.
CREATE OR REPLACE FUNCTION degree_bfs(p_org text, p_me text, p_other text, p_max integer)
RETURNS TABLE (depth integer, path text[]) LANGUAGE plpgsql AS $fn$
DECLARE
  s integer; t integer; meet integer; cur integer;
  fd integer := 0; bd integer := 0; fn bigint := 1; bn bigint := 1;
  ids integer[];
BEGIN
  SELECT p.pk INTO s FROM person p WHERE p.org = p_org AND p.ext_id = p_me;
  SELECT p.pk INTO t FROM person p WHERE p.org = p_org AND p.ext_id = p_other;
  IF s IS NULL OR t IS NULL THEN RETURN; END IF;
  IF s = t THEN depth := 0; path := ARRAY[p_me]; RETURN NEXT; RETURN; END IF;
  IF to_regclass('pg_temp.bfs_fwd') IS NULL THEN
    CREATE TEMP TABLE bfs_fwd (pk integer PRIMARY KEY, parent integer, lvl integer NOT NULL);
    CREATE TEMP TABLE bfs_bwd (pk integer PRIMARY KEY, parent integer, lvl integer NOT NULL);
  END IF;
  TRUNCATE bfs_fwd, bfs_bwd;
  INSERT INTO bfs_fwd VALUES (s, NULL, 0);
  INSERT INTO bfs_bwd VALUES (t, NULL, 0);
  WHILE fd + bd < p_max AND fn > 0 AND bn > 0 LOOP
    IF fn <= bn THEN
      INSERT INTO bfs_fwd
        SELECT DISTINCT ON (f.b) f.b, f.a, fd + 1 FROM bfs_fwd x JOIN friend f ON f.a = x.pk WHERE x.lvl = fd
        ON CONFLICT (pk) DO NOTHING;
      GET DIAGNOSTICS fn = ROW_COUNT;
      fd := fd + 1;
      SELECT x.pk INTO meet FROM bfs_fwd x JOIN bfs_bwd y ON y.pk = x.pk WHERE x.lvl = fd LIMIT 1;
    ELSE
      INSERT INTO bfs_bwd
        SELECT DISTINCT ON (f.b) f.b, f.a, bd + 1 FROM bfs_bwd x JOIN friend f ON f.a = x.pk WHERE x.lvl = bd
        ON CONFLICT (pk) DO NOTHING;
      GET DIAGNOSTICS bn = ROW_COUNT;
      bd := bd + 1;
      SELECT y.pk INTO meet FROM bfs_bwd y JOIN bfs_fwd x ON x.pk = y.pk WHERE y.lvl = bd LIMIT 1;
    END IF;
    EXIT WHEN meet IS NOT NULL;
  END LOOP;
  IF meet IS NULL THEN RETURN; END IF;
  -- Before any meeting every pk within fd-1 of s was outside bfs_bwd, so any meeting is a shortest path.
  ids := ARRAY[meet];
  cur := meet;
  LOOP
    SELECT x.parent INTO cur FROM bfs_fwd x WHERE x.pk = cur;
    EXIT WHEN cur IS NULL;
    ids := cur || ids;
  END LOOP;
  cur := meet;
  LOOP
    SELECT y.parent INTO cur FROM bfs_bwd y WHERE y.pk = cur;
    EXIT WHEN cur IS NULL;
    ids := ids || cur;
  END LOOP;
  depth := cardinality(ids) - 1;
  path := ARRAY(SELECT p.ext_id FROM unnest(ids) WITH ORDINALITY AS u(pk, i) JOIN person p ON p.pk = u.pk ORDER BY u.i);
  RETURN NEXT;
END
$fn$;
