-- Which files an org was loaded from: a bench run reloads only when they differ.
SELECT source, digest FROM loaded WHERE org = %(org)s
