"""graphsvc/db/records.py: records as the dicts `Record.data()` makes."""


def test_records_become_the_dicts_record_data_makes():
    """`as_dict` is `Record.data()` without its per-value isinstance walk: the same dict for
    scalars, nested lists and maps, and the driver's own types (which it hands to `data()`)."""
    from neo4j import Record
    from neo4j.graph import Graph, Node
    from neo4j.time import Date, DateTime

    from graphsvc.db import as_dict

    node = Node(Graph(), "4:x:1", 1, ["Person"], {"id": "usr_a", "since": Date(2026, 11, 27)})
    for record in (Record({}), Record({"a": 1, "b": "x", "c": None, "d": 1.5, "e": True}),
                   Record({"people": [{"id": "usr_a", "tags": ["x", "y"], "at": DateTime(2026, 11, 27, 12)}],
                           "more": False, "raw": b"\x00\x01", "n": node, "ns": [node, [node]]})):
        assert as_dict(record) == record.data()
    exported = as_dict(Record({"ns": [node]}))
    assert exported == {"ns": [{"id": "usr_a", "since": Date(2026, 11, 27)}]}
