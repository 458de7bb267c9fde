"""Analysts' Cypher and the curated per-org reports: read-only, time-boxed, row-capped, logged.

Free-form Cypher cannot be confined to one org (any MATCH can reach any node), so it
is for the platform `analyst` role only; staff get the curated reports in
`cypher/analytics/`, which are org-scoped by construction and run with `$org`
forced to the caller's org.

A query is refused before it runs unless Neo4j's own plan says it only reads
(EXPLAIN's query type is 'r'), it calls only side-effect-free procedures and it uses
no operator that reaches outside the database (LOAD CSV) or into other people's
work (TERMINATE TRANSACTIONS). It then runs in a READ access-mode transaction, so
the database itself refuses any write the check could have missed, with the
database's transaction timeout as the time limit: Neo4j stops the query, not just a
client timer.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import re
import time
from dataclasses import dataclass, field
from functools import cache
from typing import Any, AsyncIterator, Callable

from neo4j.exceptions import Neo4jError
from neo4j.graph import Node, Path, Relationship
from neo4j.spatial import Point

from neo4j import unit_of_work

from ..auth import Principal
from ..config import Settings
from ..db import Database, S, Tx
from ..errors import ApiError, BadRequest, NotFound

log = logging.getLogger("graphsvc.analytics")

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


class Refused(BadRequest):
    """The plan shows the query could change something: it never runs."""

    code = "query_refused"


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
        raise Refused(f"only read-only queries may run here; Neo4j plans this one as a {kind} query")
    for op in _operators(plan or {}):
        name = op.get("operatorType", "").split("@")[0]
        if name in REFUSED_OPERATORS:
            raise Refused(f"refused: {REFUSED_OPERATORS[name]}")
        if name == "ProcedureCall":
            details = (op.get("args") or {}).get("Details", "")
            procedure = details.split("(")[0].strip()
            if procedure not in READ_ONLY_PROCEDURES:
                raise Refused(f"procedure {procedure or details!r} is not one analysts may call; allowed: "
                              + ", ".join(sorted(READ_ONLY_PROCEDURES)))


EXPLAIN = "EXPLAIN\n"  # on a line of its own, so Neo4j's error excerpts show the caller's own line
POSITION_RE = re.compile(r"\(line (\d+), column (\d+) \(offset: (\d+)\)\)")


def _unprefixed(message: str) -> str:
    """Neo4j's error message with positions counted in the caller's query, not ours."""
    def fix(m: re.Match) -> str:
        line, column, offset = (int(g) for g in m.groups())
        return f"(line {max(line - 1, 1)}, column {column} (offset: {max(offset - len(EXPLAIN), 0)}))"

    return POSITION_RE.sub(fix, message)


async def explain(tx: Tx, query: str, params: dict) -> None:
    """Ask Neo4j for the plan (nothing runs) and refuse it unless it only reads."""
    try:
        result = await tx.run(EXPLAIN + query, params)
        summary = await result.consume()
    except Neo4jError as exc:
        # Bad Cypher fails here already; transient errors go on to the driver's retries.
        if (exc.code or "").startswith("Neo.ClientError.Statement."):
            mapped = neo4j_error(exc, 0)
            if mapped is not None:
                mapped.message = _unprefixed(mapped.message)
                raise mapped from None
        raise
    check_plan(summary.query_type, summary.plan)


# --- values as JSON -----------------------------------------------------------------

def render(value: Any) -> Any:
    """A Cypher value as plain JSON: graph objects as objects, temporal values as ISO strings."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, Node):
        return {"elementId": value.element_id, "labels": sorted(value.labels),
                "properties": {k: render(v) for k, v in value.items()}}
    if isinstance(value, Relationship):
        return {"elementId": value.element_id, "type": value.type,
                "startElementId": value.start_node.element_id if value.start_node else None,
                "endElementId": value.end_node.element_id if value.end_node else None,
                "properties": {k: render(v) for k, v in value.items()}}
    if isinstance(value, Path):
        return {"nodes": [render(n) for n in value.nodes],
                "relationships": [render(r) for r in value.relationships]}
    if isinstance(value, Point):
        return {"srid": value.srid, "coordinates": [render(c) for c in value]}
    if hasattr(value, "iso_format"):  # neo4j.time Date, Time, DateTime, Duration (a tuple, so first)
        return value.iso_format()
    if isinstance(value, dict):
        return {str(k): render(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [render(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def check_params(params: dict) -> None:
    """Refuse values Bolt cannot carry, before any database work."""
    def walk(v: Any, where: str) -> None:
        if isinstance(v, bool) or v is None or isinstance(v, (str, float)):
            return
        if isinstance(v, int):
            if not INT64[0] <= v <= INT64[1]:
                raise BadRequest(f"params.{where} is outside the 64-bit integer range", code="invalid_params")
        elif isinstance(v, list):
            for i, item in enumerate(v):
                walk(item, f"{where}[{i}]")
        elif isinstance(v, dict):
            for k, item in v.items():
                walk(item, f"{where}.{k}")
        else:
            raise BadRequest(f"params.{where} is not a JSON value", code="invalid_params")

    for key, value in params.items():
        walk(value, key)


# --- running --------------------------------------------------------------------------

async def fetch(tx: Tx, query: str, params: dict, cap: int) -> dict:
    """Up to `cap` rows; `truncated` when there were more (the rest are discarded unread)."""
    result = await tx.run(query, params)
    columns = list(result.keys())
    rows: list[list] = []
    truncated = False
    async for record in result:
        if len(rows) >= cap:
            truncated = True
            break
        rows.append([render(v) for v in record.values()])
    return {"columns": columns, "rows": rows, "truncated": truncated}


def neo4j_error(exc: Neo4jError, timeout: float) -> ApiError | None:
    """The 4xx a failed analyst query answers with; None for errors that are not the query's fault."""
    code = exc.code or ""
    message = exc.message or str(exc)
    if code.startswith("Neo.ClientError.Transaction.TransactionTimedOut"):
        return BadRequest(f"the query ran past its time limit of {timeout:g} s and was stopped by Neo4j",
                          code="query_timeout")
    if code == "Neo.ClientError.Statement.SyntaxError":
        return BadRequest(message, code="cypher_syntax")
    if code == "Neo.ClientError.Statement.AccessMode" or code.startswith("Neo.ClientError.Security."):
        return Refused(message)
    if "MemoryPoolOutOfMemory" in code or "MemoryLimitExceeded" in code:
        return BadRequest(f"the query needs more memory than allowed: {message}", code="query_too_large")
    if code.startswith(("Neo.ClientError.", "Neo.DatabaseError.")):
        return BadRequest(message, code="cypher_error")
    return None


def audit(kind: str, who: Principal, text: str, params: dict, started: float, outcome: str,
          out: dict | None = None, error: str | None = None) -> None:
    """One JSON line per query: who ran what, for how long, and how many rows it gave."""
    log.info(json.dumps({
        "event": kind, "sub": who.sub, "org": who.org, "role": who.role, "query": text,
        "params": sorted(params), "outcome": outcome, "error": error,
        "elapsedMs": round((time.perf_counter() - started) * 1000, 1),
        "rows": len(out["rows"]) if out else 0, "truncated": bool(out and out["truncated"]),
    }))


async def _run(kind: str, db: Database, settings: Settings, who: Principal, text: str, query: str,
               params: dict, check: bool) -> dict:
    metadata = {"app": "graphsvc", "kind": kind, "sub": who.sub, "org": who.org, "role": who.role}

    @unit_of_work(timeout=settings.analyst_timeout, metadata=metadata)
    async def work(tx: Tx) -> dict:
        if check:
            await explain(tx, query, params)
        return await fetch(tx, query, params, settings.analyst_row_cap)

    started = time.perf_counter()
    try:
        out = await db.read(work)
    except ApiError as exc:
        audit(kind, who, text, params, started, "refused" if isinstance(exc, Refused) else "error", error=exc.code)
        raise
    except Neo4jError as exc:
        mapped = neo4j_error(exc, settings.analyst_timeout)
        outcome = "timeout" if mapped and mapped.code == "query_timeout" else "error"
        audit(kind, who, text, params, started, outcome, error=exc.code)
        if mapped is None:
            raise
        raise mapped from None
    out["elapsedMs"] = round((time.perf_counter() - started) * 1000, 1)
    audit(kind, who, text, params, started, "ok", out)
    return out


async def run_cypher(db: Database, settings: Settings, who: Principal, query: str, params: dict) -> dict:
    """An analyst's query, checked, time-boxed and capped, with `$org` bound to their org."""
    check_params(params)
    params = {**params, "org": who.org}
    return await _run("analyst_query", db, settings, who, query, query, params, check=True)


# --- curated reports --------------------------------------------------------------------

PARAM_RE = re.compile(r"(\w+)\s*\((int|float|string|bool)(?:\s*,\s*default\s+([^)]*))?\)\s*:?\s*(.*)")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any
    description: str

    def coerce(self, value: Any) -> Any:
        """A JSON value or a command-line string as this parameter's type."""
        try:
            if self.type == "int":
                if isinstance(value, bool) or not isinstance(value, (int, str)):
                    raise ValueError
                out = int(value)
                if not INT64[0] <= out <= INT64[1]:
                    raise ValueError
                return out
            if self.type == "float":
                if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                    raise ValueError
                out = float(value)
                if not math.isfinite(out):
                    raise ValueError
                return out
            if self.type == "bool":
                if isinstance(value, bool):
                    return value
                if isinstance(value, str) and value.lower() in ("true", "false"):
                    return value.lower() == "true"
                raise ValueError
            if not isinstance(value, str) or len(value) > 1000:
                raise ValueError
            return value
        except ValueError:
            raise BadRequest(f"parameter {self.name} must be {'an' if self.type == 'int' else 'a'} {self.type}",
                             code="invalid_params") from None


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    description: str
    params: tuple[Param, ...] = field(default_factory=tuple)
    text: str = ""

    def public(self) -> dict:
        return {"name": self.name, "title": self.title, "description": self.description,
                "params": [{"name": p.name, "type": p.type, "default": p.default, "description": p.description}
                           for p in self.params]}

    def bind(self, given: dict, org: str) -> dict:
        """Declared parameters only, typed, defaults filled in, and `$org` forced."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(known) - {"org"})
        if unknown:
            raise BadRequest(f"report {self.name} takes no parameter {', '.join(unknown)}; it takes: "
                             + (", ".join(known) or "none"), code="invalid_params")
        out = {name: p.coerce(given[name]) if given.get(name) is not None else p.default
               for name, p in known.items()}
        out["org"] = org
        return out


def parse_header(name: str, text: str) -> Report:
    """The leading `// key: value` comment lines of a report file.

    `title:` and `description:` (continued on following comment lines), and one
    `param: NAME (TYPE, default VALUE): what it does` line per parameter.
    """
    fields: dict[str, str] = {}
    params: list[Param] = []
    key = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("//"):
            break
        body = stripped[2:].strip()
        m = re.match(r"(title|description|param):\s*(.*)", body)
        if m and m.group(1) == "param":
            p = PARAM_RE.fullmatch(m.group(2))
            if not p:
                raise ValueError(f"cypher/analytics/{name}.cypher: bad param line {body!r}")
            pname, ptype, default, desc = p.groups()
            params.append(Param(pname, ptype, Param(pname, ptype, None, "").coerce(default.strip())
                                if default else None, desc.strip()))
            key = None
        elif m:
            key = m.group(1)
            fields[key] = m.group(2)
        elif key == "description" and body:
            fields[key] += " " + body
        else:
            key = None
    if "title" not in fields:
        raise ValueError(f"cypher/analytics/{name}.cypher has no '// title:' line")
    return Report(name, fields["title"], fields.get("description", ""), tuple(params), text)


@cache
def reports() -> dict[str, Report]:
    """Every curated report, by file name."""
    out = {}
    for statement in S.analytics:
        name = statement.name.split("/", 1)[1]
        out[name] = parse_header(name, statement.text)
    return out


def report(name: str) -> Report:
    found = reports().get(name)
    if found is None:
        raise NotFound(f"no report named {name!r}; see GET /community/analytics", code="report_not_found")
    return found


async def run_report(db: Database, settings: Settings, who: Principal, name: str, given: dict) -> dict:
    """A curated report for the caller's org only."""
    rep = report(name)
    params = rep.bind(given, who.org)
    out = await _run("report", db, settings, who, name, rep.text, params, check=False)
    return {"name": rep.name, "title": rep.title, **out}


# --- streaming (the command line) --------------------------------------------------------

async def stream(tx: Tx, query: str, params: dict, on_columns: Callable[[list[str]], None],
                 limit: int | None = None) -> AsyncIterator[list]:
    """Rows one at a time, rendered, for output that starts before the query ends."""
    result = await tx.run(query, params)
    on_columns(list(result.keys()))
    n = 0
    async for record in result:
        if limit is not None and n >= limit:
            break
        n += 1
        yield [render(v) for v in record.values()]
