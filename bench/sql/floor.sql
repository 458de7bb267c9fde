-- The floor: one round trip that does nothing, as RETURN 1 is for Neo4j.
SELECT 1
