// The names of the constraints in place; /readyz compares them with the schema.
SHOW CONSTRAINTS YIELD name
RETURN collect(name) AS names
