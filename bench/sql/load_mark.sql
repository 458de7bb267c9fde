-- Records which files the org was loaded from (a digest of them), in the load's transaction.
INSERT INTO loaded (org, source, digest) VALUES (%(org)s, %(source)s, %(digest)s)
ON CONFLICT (org) DO UPDATE SET source = excluded.source, digest = excluded.digest, at = now()
