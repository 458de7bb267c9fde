// After an offline load (graphsvc import --offline): the constraints were made over
// the loaded graph; wait until every index is online, so the service's first reads
// seek instead of meeting a populating index.
CALL db.awaitIndexes($seconds)
