"""Records as plain dicts, as `Record.data()` makes them, without its per-value cost.

`Record.data()` walks every value through isinstance checks against the driver's graph
types and the `typing` ABCs, in Python, so every record pays per value it holds (the
figures are in docs/performance.md, issue 16). Almost everything the statements answer is
scalars, lists and maps, which are copied here by exact type; anything else (a node, a
relationship, a path, a temporal value) goes through `data()` itself, so the result is
what `data()` returns.
"""

from __future__ import annotations

from typing import Any

from neo4j import Record

_SCALARS = frozenset({str, int, float, bool, type(None)})


def plain(value: Any) -> Any:
    """`value` as `Record.data()` would export it."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list:
        return [plain(item) for item in value]
    if kind is dict:
        return {key: plain(item) for key, item in value.items()}
    return Record({"v": value}).data()["v"]


def as_dict(record: Record) -> dict[str, Any]:
    """The record as `record.data()` returns it."""
    return {key: plain(value) for key, value in zip(record.keys(), record.values())}
