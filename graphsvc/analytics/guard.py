"""The read-only check for analysts' Cypher: refuse before anything runs.

A query is refused unless Neo4j's own plan says it only reads (EXPLAIN's query type
is 'r'), it calls only side-effect-free procedures, and it uses no operator that
reaches outside the database (LOAD CSV) or into other people's work (TERMINATE
TRANSACTIONS). The READ transaction it then runs in is the database's own backstop.
"""

from __future__ import annotations

from typing import Any

from ..errors import (
    INVALID_PARAMS,
    QUERY_REFUSED,
)
from ..text import first_invalid

# READ-mode procedures that only look. Others in READ mode have side effects
# (db.stats.collect/clear/stop, db.resampleIndex, db.prepareForReplanning) or just
# block (db.awaitIndexes); DBMS-, WRITE- and SCHEMA-mode ones already fail the
# query-type check.
READ_ONLY_PROCEDURES = frozenset({
    "db.labels", "db.propertyKeys", "db.relationshipTypes", "db.info", "db.ping",
    "db.schema.visualization", "db.schema.nodeTypeProperties", "db.schema.relTypeProperties",
    "db.index.fulltext.queryNodes", "db.index.fulltext.queryRelationships",
    "db.index.fulltext.listAvailableAnalyzers",
    "db.index.vector.queryNodes", "db.index.vector.queryRelationships",
})

# Plan operators refused although Neo4j classes their query as read-only.
REFUSED_OPERATORS = {
    "LoadCSV": "LOAD CSV reads files and URLs from the database server",
    "TerminateTransactions": "TERMINATE TRANSACTIONS stops other people's queries",
}

QUERY_TYPES = {"w": "write", "rw": "read-write", "s": "schema or administration"}
INT64 = (-(2 ** 63), 2 ** 63 - 1)


# --- the read-only check ---------------------------------------------------------

def _operators(plan: dict) -> list[dict]:
    out = [plan]
    for child in plan.get("children", ()):
        out += _operators(child)
    return out


def check_plan(query_type: str | None, plan: dict | None) -> None:
    """Refuse anything whose EXPLAIN plan is not plainly read-only."""
    if query_type != "r":
        kind = QUERY_TYPES.get(query_type or "", repr(query_type))
        raise QUERY_REFUSED(f"only read-only queries may run here; Neo4j plans this one as a {kind} query")
    for op in _operators(plan or {}):
        name = op.get("operatorType", "").split("@")[0]
        if name in REFUSED_OPERATORS:
            raise QUERY_REFUSED(f"refused: {REFUSED_OPERATORS[name]}")
        if name == "ProcedureCall":
            details = (op.get("args") or {}).get("Details", "")
            procedure = details.split("(")[0].strip()
            if procedure not in READ_ONLY_PROCEDURES:
                raise QUERY_REFUSED(f"procedure {procedure or details!r} is not one analysts may call; allowed: "
                              + ", ".join(sorted(READ_ONLY_PROCEDURES)))



def check_params(params: dict) -> None:
    """Refuse values Bolt cannot carry, before any database work: integers past 64 bits,
    non-JSON values, and text that is not valid Unicode (a lone surrogate, key or value)
    or a non-finite number, which the API's edge already refuses in bodies."""
    bad = first_invalid(params, "params")
    if bad:
        raise INVALID_PARAMS(f"{bad} is not valid Unicode text or not a finite number")

    def walk(v: Any, where: str) -> None:
        if isinstance(v, bool) or v is None or isinstance(v, (str, float)):
            return
        if isinstance(v, int):
            if not INT64[0] <= v <= INT64[1]:
                raise INVALID_PARAMS(f"params.{where} is outside the 64-bit integer range")
        elif isinstance(v, list):
            for i, item in enumerate(v):
                walk(item, f"{where}[{i}]")
        elif isinstance(v, dict):
            for k, item in v.items():
                walk(item, f"{where}.{k}")
        else:
            raise INVALID_PARAMS(f"params.{where} is not a JSON value")

    for key, value in params.items():
        walk(value, key)


