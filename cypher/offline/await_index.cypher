// After an offline load: wait until one index (named) is online, so that the next
// population of the schema step's lane starts only then (graphsvc/ops/offline.py).
CALL db.awaitIndex($name, $seconds)
