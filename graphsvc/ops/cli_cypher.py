"""`graphsvc cypher` and `graphsvc report`: Cypher from a terminal against the configured Neo4j.

Read-only unless `--write` is given: the same plan check as the analysts' endpoint,
in a READ transaction with a time limit. Rows are printed as they arrive (CSV,
JSON lines) or, for the aligned table, once the first screenful has fixed the
column widths, so a large result never has to fit in memory.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
import time
from typing import Any, TextIO

import neo4j
from neo4j import AsyncGraphDatabase
from neo4j.exceptions import DriverError, Neo4jError

from .. import analytics, config
from ..errors import ApiError

TABLE_SAMPLE = 1000  # rows read before the table's column widths are fixed
COUNTERS = ("nodes_created", "nodes_deleted", "relationships_created", "relationships_deleted", "properties_set",
            "labels_added", "labels_removed", "indexes_added", "indexes_removed", "constraints_added",
            "constraints_removed", "system_updates")


def parse_param(text: str) -> tuple[str, Any]:
    """`k=v`: v as JSON when it parses (5, true, "007", [1,2]), else as text."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"--param wants k=v, not {text!r}")
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    return key.strip(), value


def cell(value: Any, null: str) -> str:
    if value is None:
        return null
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Table:
    """An aligned text table: widths from the first rows, then one line per row."""

    def __init__(self, out: TextIO):
        self.out, self.columns, self.pending, self.widths = out, [], [], None
        self.numeric: list[bool] = []

    def start(self, columns: list[str]) -> None:
        self.columns = columns

    def row(self, values: list) -> None:
        if self.widths is None:
            self.pending.append(values)
            if len(self.pending) >= TABLE_SAMPLE:
                self._flush()
        else:
            self._line(values)

    def _flush(self) -> None:
        cells = [[cell(v, "null") for v in r] for r in self.pending]
        self.widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(self.columns)]
        self.numeric = [bool(self.pending) and all(isinstance(r[i], (int, float)) and not isinstance(r[i], bool)
                                                   or r[i] is None for r in self.pending)
                        for i in range(len(self.columns))]
        self.out.write(" | ".join(c.ljust(w) for c, w in zip(self.columns, self.widths)).rstrip() + "\n")
        self.out.write("-+-".join("-" * w for w in self.widths) + "\n")
        for values in self.pending:
            self._line(values)
        self.pending = []

    def _line(self, values: list) -> None:
        parts = [cell(v, "null").rjust(w) if num else cell(v, "null").ljust(w)
                 for v, w, num in zip(values, self.widths, self.numeric)]
        self.out.write(" | ".join(parts).rstrip() + "\n")

    def end(self) -> None:
        if self.widths is None:
            self._flush()


class Csv:
    def __init__(self, out: TextIO):
        self.writer = csv.writer(out, lineterminator="\n")

    def start(self, columns: list[str]) -> None:
        self.writer.writerow(columns)

    def row(self, values: list) -> None:
        self.writer.writerow([cell(v, "") for v in values])

    def end(self) -> None:
        pass


class JsonLines:
    def __init__(self, out: TextIO):
        self.out, self.columns = out, []

    def start(self, columns: list[str]) -> None:
        self.columns = columns

    def row(self, values: list) -> None:
        self.out.write(json.dumps(dict(zip(self.columns, values)), ensure_ascii=False) + "\n")

    def end(self) -> None:
        pass


FORMATS = {"table": Table, "csv": Csv, "jsonl": JsonLines}


async def run(query: str, params: dict, fmt: str, *, write: bool, check: bool, timeout: float | None,
              limit: int | None, out: TextIO = sys.stdout) -> int:
    settings = config.load()
    if timeout is None:
        timeout = settings.analyst_timeout
    try:
        analytics.check_params(params)  # the same text rule as the HTTP endpoint
    except ApiError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    printer = FORMATS[fmt](out)
    started = time.perf_counter()
    count = 0
    driver = AsyncGraphDatabase.driver(settings.neo4j_uri, auth=(settings.neo4j_user, settings.neo4j_password),
                                       notifications_min_severity="OFF")
    try:
        async with driver.session(database=settings.neo4j_database,
                                  default_access_mode=neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS) as session:
            if write:
                # Auto-commit, so that `CALL { … } IN TRANSACTIONS` and schema commands work too.
                result = await session.run(query, params)
                printer.start(list(result.keys()))
                async for record in result:
                    if limit is not None and count >= limit:
                        break
                    printer.row([analytics.render(v) for v in record.values()])
                    count += 1
                summary = await result.consume()
                changes = {k: getattr(summary.counters, k) for k in COUNTERS if getattr(summary.counters, k)}
            else:
                tx = await session.begin_transaction(timeout=timeout or None, metadata={"app": "graphsvc-cli"})
                try:
                    if check:
                        await analytics.explain(tx, query, params)
                    async for values in analytics.stream(tx, query, params, printer.start, limit):
                        printer.row(values)
                        count += 1
                finally:
                    await tx.close()
                changes = {}
        printer.end()
    except ApiError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    except Neo4jError as exc:
        mapped = analytics.neo4j_error(exc, timeout or 0)
        print(f"error: {mapped.message if mapped else exc.message} ({exc.code})", file=sys.stderr)
        return 1
    except (DriverError, OSError) as exc:
        print(f"cannot reach Neo4j at {settings.neo4j_uri}: {exc}", file=sys.stderr)
        return 1
    finally:
        await driver.close()
    out.flush()
    note = f"({count} row{'s' if count != 1 else ''}, {1000 * (time.perf_counter() - started):.0f} ms"
    note += f", {changes})" if changes else ")"
    print(note, file=sys.stderr)
    return 0


def _cypher(args: argparse.Namespace) -> int:
    query = sys.stdin.read() if args.query == "-" else args.query
    params = dict(args.param)
    if args.org:
        params["org"] = args.org
    return asyncio.run(run(query, params, args.format, write=args.write, check=not args.write,
                           timeout=args.timeout, limit=args.limit))


def _report(args: argparse.Namespace) -> int:
    if args.list or not args.name:
        for rep in sorted(analytics.reports().values(), key=lambda r: r.name):
            params = ", ".join(f"{p.name}={p.default}" for p in rep.params)
            print(f"{rep.name:24} {rep.title}" + (f"  [{params}]" if params else ""))
        return 0
    if not args.org:
        print("--org is required to run a report", file=sys.stderr)
        return 2
    try:
        rep = analytics.report(args.name)
        # Raw text values: each is converted to the report's declared type.
        params = rep.bind({k: v for k, v in (p.split("=", 1) for p in args.raw_param)}, args.org)
    except ApiError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    return asyncio.run(run(rep.text, params, args.format, write=False, check=False, timeout=args.timeout,
                           limit=None))


def _raw_param(text: str) -> str:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"--param wants k=v, not {text!r}")
    return text


def add_commands(sub: argparse._SubParsersAction) -> None:
    """Register `cypher` and `report` on graphsvc's command line."""
    p = sub.add_parser("cypher", help="run Cypher against the configured Neo4j (read-only unless --write)")
    p.add_argument("query", help="one Cypher statement, or - to read it from stdin")
    p.add_argument("--param", action="append", type=parse_param, default=[], metavar="K=V",
                   help="a parameter; V is JSON if it parses (5, true, \"007\"), else text")
    p.add_argument("--org", help="bind $org")
    p.add_argument("--format", choices=sorted(FORMATS), default="table")
    p.add_argument("--write", action="store_true", help="allow writes and schema changes (auto-commit)")
    p.add_argument("--timeout", type=float,
                   help="seconds before Neo4j stops a read (default GRAPHSVC_ANALYST_TIMEOUT, 10; 0: none)")
    p.add_argument("--limit", type=int, help="stop after this many rows")
    p.set_defaults(fn=_cypher)

    p = sub.add_parser("report", help="run a curated report of cypher/analytics for one org")
    p.add_argument("name", nargs="?", help="the report's name (omit, or --list, to list them)")
    p.add_argument("--org", help="the org to report on")
    p.add_argument("--param", dest="raw_param", action="append", default=[], metavar="K=V",
                   type=_raw_param, help="a parameter, converted to the type the report declares")
    p.add_argument("--format", choices=sorted(FORMATS), default="table")
    p.add_argument("--timeout", type=float, help="seconds before Neo4j stops it (default as for cypher)")
    p.add_argument("--list", action="store_true", help="list the reports")
    p.set_defaults(fn=_report)
