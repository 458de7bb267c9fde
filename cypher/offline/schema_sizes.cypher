// After an offline load: how many nodes carry each label and relationships each type,
// read from the count store (no scan). The schema step schedules its index populations
// by these sizes (graphsvc/ops/offline.py, schema_plan).
CALL db.stats.retrieve('GRAPH COUNTS') YIELD data
RETURN [x IN data.nodes WHERE x.label IS NOT NULL | [x.label, x.count]]
       + [x IN data.relationships WHERE x.relationshipType IS NOT NULL AND x.startLabel IS NULL
            AND x.endLabel IS NULL | [x.relationshipType, x.count]] AS sizes
