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

import json
import logging
import re
import time
from typing import AsyncIterator, Callable

from neo4j import unit_of_work
from neo4j.exceptions import Neo4jError

from ..auth import Principal
from ..config import Settings
from ..db import Database, Tx
from ..errors import (
    CYPHER_ERROR,
    CYPHER_SYNTAX,
    QUERY_REFUSED,
    QUERY_TIMEOUT,
    QUERY_TOO_LARGE,
    ApiError,
)
from .guard import check_params, check_plan
from .render import render
from .reports import report

log = logging.getLogger("graphsvc.analytics")

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
        return QUERY_TIMEOUT(f"the query ran past its time limit of {timeout:g} s and was stopped by Neo4j")
    if code == "Neo.ClientError.Statement.SyntaxError":
        return CYPHER_SYNTAX(message)
    if code == "Neo.ClientError.Statement.AccessMode" or code.startswith("Neo.ClientError.Security."):
        return QUERY_REFUSED(message)
    if "MemoryPoolOutOfMemory" in code or "MemoryLimitExceeded" in code:
        return QUERY_TOO_LARGE(f"the query needs more memory than allowed: {message}")
    if code.startswith(("Neo.ClientError.", "Neo.DatabaseError.")):
        return CYPHER_ERROR(message)
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
        audit(kind, who, text, params, started, "refused" if exc.code == QUERY_REFUSED.code else "error", error=exc.code)
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


async def run_report(db: Database, settings: Settings, who: Principal, name: str, given: dict) -> dict:
    """A curated report for the caller's org only."""
    rep = report(name)
    check_params(given)
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
