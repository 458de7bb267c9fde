-- Degrees of separation up to maxDepth (6) hops through degree_bfs (degree_bfs_fn.sql).
SELECT depth, path FROM degree_bfs(%(org)s, %(me)s, %(other)s, %(maxDepth)s)
