"""Bulk import of people, pages, follows, connections, blocks and posts (`graphsvc import`).

Rows come from CSV or JSON Lines files named after what they hold (`people.csv`,
`follows.jsonl`, ...) and are written in `UNWIND $rows` batches through the named
statements in `cypher/import/`, each batch one managed write transaction (retried
on transient errors such as deadlocks). Every statement MERGEs on the model's
unique keys, so running the same import twice changes nothing, and a failed import
can simply be run again. Page followerCounts are recomputed exactly at the end for
every page the import touched.

No events are written: an import is an operator loading or migrating a graph, not a
member's change; replaying a million "follow.created" events to webhooks would
notify people of connections they made years ago. The summary printed at the end
(and returned by `run_import`) is the record of what the import did.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import itertools
import json
import logging
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import neo4j

from ..db import S, Statement, apply_schema
from ..people import EMAIL_RE, ID_RE
from ..text import SURROGATE_RE, first_invalid
from .check import repair_friend_tops

# Import order: people and pages before the edges that name them, blocks after the
# follows and connections they remove, posts last.
KINDS = ("people", "pages", "follows", "connections", "blocks", "posts")
# The statement that writes each kind; follows have two, by what is followed.
STATEMENTS = {"people": S.importer.people, "pages": S.importer.pages, "connections": S.importer.connections,
              "blocks": S.importer.blocks, "posts": S.importer.posts}
SUFFIXES = (".csv", ".jsonl", ".ndjson")
VISIBILITIES = {"public", "followers", "connections", "private"}
STATUSES = {"pending", "accepted", "rejected"}


class ImportError_(ValueError):
    """A file or row the importer cannot make sense of (reported, nothing written for it)."""


@dataclass
class Stats:
    kind: str
    rows: int = 0
    written: int = 0
    nodes: int = 0
    relationships: int = 0
    deleted: int = 0
    properties: int = 0
    retries: int = 0  # batches run again after a transient error (deadlocks between parallel batches)
    seconds: float = 0.0

    @property
    def skipped(self) -> int:
        return self.rows - self.written

    def line(self) -> str:
        rate = self.rows / self.seconds if self.seconds else 0.0
        return (f"{self.kind:<12} {self.rows:>10,} rows {self.written:>10,} written {self.skipped:>8,} skipped "
                f"{self.nodes:>9,} nodes+ {self.relationships:>10,} rels+ {self.deleted:>7,} rels- "
                f"{self.properties:>10,} props {self.retries:>5,} retries {self.seconds:8.1f}s {rate:>9,.0f} rows/s")


@dataclass
class Summary:
    kinds: list[Stats] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def relationships(self) -> int:
        return sum(s.relationships for s in self.kinds)

    @property
    def changes(self) -> int:
        return sum(s.nodes + s.relationships + s.deleted + s.properties for s in self.kinds)

    def as_dict(self) -> dict:
        rel_seconds = sum(s.seconds for s in self.kinds if s.kind in ("follows", "connections", "blocks"))
        rel_count = sum(s.relationships for s in self.kinds if s.kind in ("follows", "connections", "blocks"))
        return {
            "seconds": round(self.seconds, 2),
            "relationshipsCreated": self.relationships,
            "changes": self.changes,
            "edgeRelationshipsPerSecond": round(rel_count / rel_seconds) if rel_seconds else None,
            "kinds": [{**s.__dict__, "skipped": s.skipped} for s in self.kinds],
        }


# ---- reading -------------------------------------------------------------------------------------------------

def read_rows(path: Path) -> Iterator[dict]:
    """Rows of a CSV (header line; an empty cell is read as missing) or JSON Lines file."""
    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader, None) or []
            for values in reader:
                if values:  # a blank line is no row
                    yield dict(zip(header, values))
    else:
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if line.strip():
                    try:
                        row = json.loads(line)
                    except ValueError:
                        raise ImportError_(f"{path}:{n}: not valid JSON") from None
                    if not isinstance(row, dict):
                        raise ImportError_(f"{path}:{n}: each line must be a JSON object")
                    yield row


def count_rows(path: Path) -> int:
    with path.open("rb") as fh:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    return max(0, lines - 1) if path.suffix == ".csv" else lines


def find_files(paths: Iterable[Path]) -> dict[str, list[Path]]:
    """{kind: files} from files and folders; a file's kind is its name before the suffix."""
    found: dict[str, list[Path]] = {k: [] for k in KINDS}
    for path in paths:
        candidates = sorted(p for p in path.iterdir() if p.suffix in SUFFIXES) if path.is_dir() else [path]
        for p in candidates:
            kind = p.name.split(".")[0]
            if kind not in found or p.suffix not in SUFFIXES:
                raise ImportError_(f"{p}: name it <kind>.csv or <kind>.jsonl, kind one of {', '.join(KINDS)}")
            found[kind].append(p)
    return found


# ---- normalising rows ----------------------------------------------------------------------------------------

def _text(row: dict, name: str, required: bool = True) -> str | None:
    value = row.get(name)
    if value is None or value == "":
        if required:
            raise ImportError_(f"missing {name}")
        return None
    if type(value) is not str:
        value = str(value)
    # A JSON escape can spell a lone surrogate, which neither the driver nor a CSV file can carry.
    if not value.isascii() and SURROGATE_RE.search(value):
        raise ImportError_(f"{name} is not valid Unicode text")
    return value


def _id(row: dict, name: str, required: bool = True) -> str | None:
    """A user, page, post or connection id as the API names them: anything else could
    never be addressed by a call (CONTRACT.md, Identifiers)."""
    value = _text(row, name, required)
    if value is not None and not ID_RE.fullmatch(value):
        raise ImportError_(f"{name} must be 1-128 letters, digits or _ - . :")
    return value


def _email(row: dict, name: str) -> str | None:
    """An email as the API takes it: a valid address, stored lower-cased (graphsvc/people.py)."""
    value = _text(row, name, required=False)
    if value is not None and (len(value) > 254 or not EMAIL_RE.fullmatch(value)):
        raise ImportError_(f"{name} is not a valid email address")
    return value and value.lower()


# The ISO-8601 date-times both Cypher's datetime() and neo4j-admin's `:datetime` read the
# same way: a calendar date, optionally a time to the nanosecond, optionally Z or an offset.
_ISO_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})"
                       r"(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2})(?::?([0-5]\d))?)?)?")


# The form nearly every input uses (UTC to the second), checked without building a
# datetime: a time of day in range and a calendar date from a small cache.
_UTC_SECONDS = re.compile(r"(\d{4}-\d{2}-\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\dZ")


@functools.lru_cache(maxsize=8192)
def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
        return True
    except ValueError:
        return False


def _time(row: dict, name: str) -> str | None:
    value = row.get(name)
    if type(value) is str:
        fast = _UTC_SECONDS.fullmatch(value)
        if fast and _is_date(fast.group(1)):
            return value
    value = _text(row, name, required=False)
    if value is None:
        return None
    match = _ISO_TIME.fullmatch(value)
    try:
        if match is None:
            raise ValueError
        *fields, offset_hours, _ = (int(g or 0) for g in match.groups())
        datetime(*fields)
        if offset_hours > 18:
            raise ValueError
    except ValueError:
        raise ImportError_(f"{name} must be an ISO-8601 date-time") from None
    return value


def connection_id(org: str, requester: str, target: str, requested_at: str | None) -> str:
    """A stable id for an input row without one, so a re-run merges onto the same edge."""
    digest = hashlib.sha1(f"{org}|{requester}|{target}|{requested_at or ''}".encode()).hexdigest()
    return "con_" + digest[:32]


def _person(row: dict, org: str) -> dict:
    protected = (_text(row, "protected", False) or "").lower() or None
    if protected not in (None, "true", "false"):
        raise ImportError_("protected must be true or false")
    return {"id": _id(row, "id"), "email": _email(row, "email"), "key": _text(row, "key", False),
            "createdAt": _time(row, "createdAt"), "protected": None if protected is None else protected == "true"}


def _page(row: dict, org: str) -> dict:
    return {"id": _id(row, "id"), "name": _text(row, "name", False), "createdAt": _time(row, "createdAt")}


def _follow(row: dict, org: str) -> dict:
    kind = _text(row, "followingType", False) or "person"
    if kind not in ("person", "page"):
        raise ImportError_("followingType must be person or page")
    status = _text(row, "status", False) or "active"
    if status not in ("active", "pending") or (status == "pending" and kind == "page"):
        raise ImportError_("status must be active or pending (pending: a request to a protected person)")
    return {"followerId": _id(row, "followerId"), "followingId": _id(row, "followingId"),
            "followingType": kind, "since": _time(row, "since"), "status": status}


def _connection(row: dict, org: str) -> dict:
    status = _text(row, "status", False) or "accepted"
    if status not in STATUSES:
        raise ImportError_(f"status must be one of {sorted(STATUSES)}")
    context = row.get("context")
    if isinstance(context, str) and context:
        try:
            context = json.loads(context)
        except ValueError:
            raise ImportError_("context must be a JSON object") from None
    if context is not None and context != "" and not isinstance(context, dict):
        raise ImportError_("context must be a JSON object")
    if context and first_invalid(context, "context"):
        raise ImportError_("context holds text that is not valid Unicode, or a number that is not finite")
    out = {"requesterId": _id(row, "requesterId"), "targetId": _id(row, "targetId"), "status": status,
           "message": _text(row, "message", False),
           "context": json.dumps(context, separators=(",", ":")) if context else None,
           "requestedAt": _time(row, "requestedAt"), "respondedAt": _time(row, "respondedAt")}
    out["id"] = _id(row, "id", False) or connection_id(org, out["requesterId"], out["targetId"], out["requestedAt"])
    return out


def _block(row: dict, org: str) -> dict:
    return {"blockerId": _id(row, "blockerId"), "blockedId": _id(row, "blockedId"), "since": _time(row, "since")}


def _post(row: dict, org: str) -> dict:
    visibility = _text(row, "visibility", False) or "public"
    if visibility not in VISIBILITIES:
        raise ImportError_(f"visibility must be one of {sorted(VISIBILITIES)}")
    return {"id": _id(row, "id"), "authorId": _id(row, "authorId"), "visibility": visibility,
            "pageId": _id(row, "pageId", False), "createdAt": _time(row, "createdAt")}


NORMALISE: dict[str, Callable[[dict, str], dict]] = {
    "people": _person, "pages": _page, "follows": _follow, "connections": _connection,
    "blocks": _block, "posts": _post,
}


def _connection_key(row: dict) -> Any:
    # One live connection per pair, whichever side asked; rejected ones are history.
    if row["status"] == "rejected":
        return ("id", row["id"])
    a, b = row["requesterId"], row["targetId"]
    return ("live", a, b) if a < b else ("live", b, a)


# Rows that must not share a batch or repeat, per kind: the first one wins, later ones are skipped.
DEDUP_KEY: dict[str, Callable[[dict], Any]] = {
    "people": lambda row: row["id"], "pages": lambda row: row["id"], "posts": lambda row: row["id"],
    "follows": lambda row: (row["followerId"], row["followingType"], row["followingId"]),
    "connections": _connection_key,
    "blocks": lambda row: (row["blockerId"], row["blockedId"]),
}


# The common CSV line of the big kinds, recognised whole by one regular expression built
# from the file's header: every field in a form its normaliser accepts as it stands (no
# quote, comma, line break or NUL inside; ids as ID_RE; a time as _UTC_SECONDS; a word
# from its list), so the row is made without the csv module or a call per field. Any
# other line goes through csv and NORMALISE as before, which decides and reports.
_FAST_ID = r"([A-Za-z0-9_\-.:]{1,128})"
_FAST_OPTIONAL_ID = r"((?:[A-Za-z0-9_\-.:]{1,128})?)"
_FAST_TIME = r"((?:\d{4}-\d{2}-\d{2}T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\dZ)?)"
_FAST_TEXT = r'([^,"\r\n\x00]{0,100000})'
_FAST_FIELDS: dict[str, dict[str, str]] = {
    "people": {"id": _FAST_ID, "email": _FAST_TEXT, "key": _FAST_TEXT, "createdAt": _FAST_TIME,
               "protected": "(true|false|)"},
    "follows": {"followerId": _FAST_ID, "followingId": _FAST_ID, "followingType": "(person|page|)",
                "since": _FAST_TIME, "status": "(active|pending|)"},
    "connections": {"requesterId": _FAST_ID, "targetId": _FAST_ID, "status": "(pending|accepted|rejected|)",
                    "message": _FAST_TEXT, "context": "()", "requestedAt": _FAST_TIME, "respondedAt": _FAST_TIME,
                    "id": _FAST_OPTIONAL_ID},
    "posts": {"id": _FAST_ID, "authorId": _FAST_ID, "visibility": "(public|followers|connections|private|)",
              "pageId": _FAST_OPTIONAL_ID, "createdAt": _FAST_TIME},
}
_FAST_REQUIRED = {"people": ("id",), "follows": ("followerId", "followingId"), "connections": ("requesterId", "targetId"),
                  "posts": ("id", "authorId")}


def _fast_person(at: dict[str, int], org: str) -> Callable[[tuple], dict | None]:
    pi, em, ke, cr, pr = (at[k] for k in ("id", "email", "key", "createdAt", "protected"))

    def normalise(g: tuple) -> dict | None:
        email, created, protected = g[em], g[cr], g[pr]
        if (email and (len(email) > 254 or not EMAIL_RE.fullmatch(email))) or (
                created and not _is_date(created[:10])):
            return None
        return {"id": g[pi], "email": email.lower() if email else None, "key": g[ke] or None,
                "createdAt": created or None, "protected": protected == "true" if protected else None}
    return normalise


def _fast_follow(at: dict[str, int], org: str) -> Callable[[tuple], dict | None]:
    fr, fo, ty, si, st = (at[k] for k in ("followerId", "followingId", "followingType", "since", "status"))

    def normalise(g: tuple) -> dict | None:
        kind, status, since = g[ty] or "person", g[st] or "active", g[si]
        if (status == "pending" and kind == "page") or (since and not _is_date(since[:10])):
            return None
        return {"followerId": g[fr], "followingId": g[fo], "followingType": kind, "since": since or None,
                "status": status}
    return normalise


def _fast_connection(at: dict[str, int], org: str) -> Callable[[tuple], dict | None]:
    rq, tg, st, ms, ra, re_, ci = (at[k] for k in ("requesterId", "targetId", "status", "message", "requestedAt",
                                                     "respondedAt", "id"))

    def normalise(g: tuple) -> dict | None:
        requested, responded = g[ra], g[re_]
        if (requested and not _is_date(requested[:10])) or (responded and not _is_date(responded[:10])):
            return None
        requester, target, requested = g[rq], g[tg], requested or None
        return {"requesterId": requester, "targetId": target, "status": g[st] or "accepted",
                "message": g[ms] or None, "context": None, "requestedAt": requested,
                "respondedAt": responded or None,
                "id": g[ci] or connection_id(org, requester, target, requested)}
    return normalise


def _fast_post(at: dict[str, int], org: str) -> Callable[[tuple], dict | None]:
    pi, au, vi, pg, cr = (at[k] for k in ("id", "authorId", "visibility", "pageId", "createdAt"))

    def normalise(g: tuple) -> dict | None:
        created = g[cr]
        if created and not _is_date(created[:10]):
            return None
        return {"id": g[pi], "authorId": g[au], "visibility": g[vi] or "public", "pageId": g[pg] or None,
                "createdAt": created or None}
    return normalise


_FAST_MAKERS = {"people": _fast_person, "follows": _fast_follow, "connections": _fast_connection, "posts": _fast_post}


def _fast_line(kind: str, header: list[str], org: str) -> tuple[re.Pattern, Callable[[tuple], dict | None]] | None:
    """(the pattern of a common line, the row of its groups, None if the line is to be read
    the slow way) for a CSV file of `kind` with `header`; None when the header rules it out
    (a kind without a fast form, a required column missing, a column named twice)."""
    fields = _FAST_FIELDS.get(kind)
    if fields is None or len(set(header)) != len(header) or not all(k in header for k in _FAST_REQUIRED[kind]):
        return None
    # A column the header lacks reads as the empty group at the end of the pattern.
    at = {name: header.index(name) if name in header else len(header) for name in fields}
    pattern = ",".join(fields.get(name, _FAST_TEXT) for name in header) + r"\r?\n?()"
    return re.compile(pattern), _FAST_MAKERS[kind](at, org)


def _normalised_file(kind: str, path: Path, org: str, stats: Stats) -> Iterator[tuple[int, dict]]:
    """(row number, row) of one file, each counted in `stats.rows`; a bad row raises with
    file and row number. Numbers count rows as read_rows yields them (blank lines are none)."""
    normalise = NORMALISE[kind]
    if path.suffix != ".csv":
        for n, raw in enumerate(read_rows(path), 1):
            stats.rows += 1
            try:
                yield n, normalise(raw, org)
            except ImportError_ as exc:
                raise ImportError_(f"{path}: row {n}: {exc}") from None
        return
    with path.open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh), None) or []
        fast = _fast_line(kind, header, org)
        match, make = (fast[0].fullmatch, fast[1]) if fast else (None, None)
        n = 0
        for line in fh:
            m = match(line) if match else None
            row = make(m.groups()) if m else None
            if row is None:
                # csv reads this record from here, on into the next lines if a quoted value spans them.
                values = next(csv.reader(itertools.chain((line,), fh)))
                if not values:
                    continue
                n += 1
                stats.rows += 1
                try:
                    row = normalise(dict(zip(header, values)), org)
                except ImportError_ as exc:
                    raise ImportError_(f"{path}: row {n}: {exc}") from None
            else:
                n += 1
                stats.rows += 1
            yield n, row


def normalised_rows(kind: str, files: list[Path], org: str, stats: Stats,
                    dedup: bool = True) -> Iterator[tuple[Path, int, dict]]:
    """(file, row number, row): the rows of one kind, normalised, first of each key only
    (`DEDUP_KEY`; `dedup=False` leaves that to the caller), counted in `stats.rows`. A bad row stops
    everything with its file and row number: both the transactional and the offline
    import read their input through here."""
    seen: set = set()
    dedup_key = DEDUP_KEY[kind]
    for path in files:
        for n, row in _normalised_file(kind, path, org, stats):
            if dedup:
                key = dedup_key(row)
                if key in seen:
                    continue
                seen.add(key)
            yield path, n, row


# ---- writing -------------------------------------------------------------------------------------------------

class Progress:
    """One status line on stderr: rows done, rows/s, ETA (rewritten in place on a terminal)."""

    def __init__(self, label: str, total: int, stream: Any = sys.stderr, quiet: bool = False):
        self.label, self.total, self.stream, self.quiet = label, total, stream, quiet
        self.done, self.started, self.shown = 0, time.perf_counter(), 0.0
        self.tty = hasattr(stream, "isatty") and stream.isatty()

    def add(self, n: int) -> None:
        self.done += n
        now = time.perf_counter()
        if not self.quiet and (now - self.shown >= (0.2 if self.tty else 5.0)):
            self.shown = now
            self._show(now)

    def _show(self, now: float, end: str = "") -> None:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate and self.total > self.done else 0.0
        width = 24
        filled = int(width * min(1.0, self.done / self.total)) if self.total else width
        text = (f"{self.label:<12} [{'#' * filled}{'.' * (width - filled)}] {self.done:,}/{self.total:,} "
                f"{rate:,.0f} rows/s ETA {left:,.0f}s")
        print(("\r" if self.tty else "") + text, end=end if self.tty else "\n", file=self.stream, flush=True)

    def close(self) -> None:
        if not self.quiet:
            self._show(time.perf_counter(), end="\n")


def _batches(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _write_batch(driver: neo4j.Driver, database: str, statement: Statement, org: str,
                 rows: list[dict]) -> tuple[int, Any, int]:
    """(rows written, counters, retries) of one batch in one write transaction."""
    tries = 0

    def work(tx: neo4j.ManagedTransaction) -> tuple[int, Any]:
        nonlocal tries
        tries += 1
        result = statement.run(tx, org=org, rows=rows)
        record = result.single()
        return (record["written"] if record else 0), result.consume().counters

    with driver.session(database=database) as session:
        written, counters = session.execute_write(work)
    return written, counters, tries - 1


class Importer:
    """Writes rows into one org; `parallel` batches of one kind are in flight at once."""

    def __init__(self, driver: neo4j.Driver, org: str, *, database: str = "neo4j", batch_size: int = 2000,
                 parallel: int = 2, quiet: bool = False, stream: Any = sys.stderr):
        self.driver, self.org, self.database = driver, org, database
        self.batch_size, self.parallel, self.quiet, self.stream = batch_size, max(1, parallel), quiet, stream
        self.pages_touched: set[str] = set()
        self.lock = threading.Lock()

    def apply_schema(self) -> None:
        apply_schema(self.driver, self.database)

    def _rows(self, kind: str, files: list[Path], stats: Stats) -> Iterator[tuple[Statement, dict]]:
        """(statement, row) pairs, normalised and de-duplicated; bad rows stop the import with file:line."""
        for _, _, row in normalised_rows(kind, files, self.org, stats):
            if kind == "follows" and row["followingType"] == "page":
                self.pages_touched.add(row["followingId"])
                yield S.importer.follows_page, row
            elif kind == "follows":
                yield S.importer.follows_person, row
            else:
                yield STATEMENTS[kind], row

    def validate(self, files: dict[str, list[Path]]) -> None:
        """Read every row once before writing anything: a bad row anywhere stops the import
        with its file and row number, and nothing has been written."""
        for kind in KINDS:
            for _ in self._rows(kind, files.get(kind, []), Stats(kind)):
                pass
        self.pages_touched.clear()

    def import_kind(self, kind: str, files: list[Path]) -> Stats:
        stats = Stats(kind)
        started = time.perf_counter()
        progress = Progress(kind, sum(count_rows(p) for p in files), self.stream, self.quiet)
        pending: set[Future] = set()
        sizes: dict[Future, int] = {}

        def done(fut: Future) -> None:
            try:
                written, counters, retries = fut.result()
            except neo4j.exceptions.ClientError as exc:
                # E.g. a connection id from the input that another org already uses.
                raise ImportError_(f"{kind}: a batch was refused, nothing of it written: {exc.message}") from None
            with self.lock:
                stats.written += written
                stats.nodes += counters.nodes_created
                stats.relationships += counters.relationships_created
                stats.deleted += counters.relationships_deleted
                stats.properties += counters.properties_set
                stats.retries += retries

        # Rows of one statement are batched together; follows split into person and page batches.
        open_batches: dict[Statement, list[dict]] = {}
        with ThreadPoolExecutor(self.parallel) as pool:
            def submit(statement: Statement, batch: list[dict]) -> None:
                nonlocal pending
                while len(pending) >= self.parallel * 2:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        done(fut)
                        progress.add(sizes.pop(fut))
                fut = pool.submit(_write_batch, self.driver, self.database, statement, self.org, batch)
                sizes[fut] = len(batch)
                pending.add(fut)

            for statement, row in self._rows(kind, files, stats):
                batch = open_batches.setdefault(statement, [])
                batch.append(row)
                if len(batch) >= self.batch_size:
                    submit(statement, batch)
                    open_batches[statement] = []
            for statement, batch in open_batches.items():
                if batch:
                    submit(statement, batch)
            for fut in pending:
                done(fut)
        progress.done = stats.rows
        progress.close()
        stats.seconds = time.perf_counter() - started
        return stats

    def recount_pages(self) -> Stats:
        stats = Stats("pageCounts")
        started = time.perf_counter()
        ids = sorted(self.pages_touched)
        stats.rows = len(ids)
        for batch in _batches(({"id": i} for i in ids), 500):
            def work(tx: neo4j.ManagedTransaction, page_ids: list[str] = [r["id"] for r in batch]) -> tuple[int, Any]:
                result = S.importer.page_counts.run(tx, org=self.org, pageIds=page_ids)
                record = result.single()
                return (record["written"] if record else 0), result.consume().counters

            with self.driver.session(database=self.database) as session:
                written, counters = session.execute_write(work)
            stats.properties += counters.properties_set
        # Pages whose counter was already right are not written: "written" is what was corrected.
        stats.written = stats.rows
        stats.seconds = time.perf_counter() - started
        return stats

    def refresh_tops(self) -> Stats:
        """FRIEND_TOP of everyone in the org who holds or needs it, once at the end rather
        than per batch (a hub is in most batches, and each refresh reads all its friends)."""
        stats = Stats("friendTops")
        started = time.perf_counter()
        stats.rows, stats.relationships = repair_friend_tops(self.driver, self.database, self.org)
        stats.written = stats.rows
        stats.seconds = time.perf_counter() - started
        return stats

    def run(self, files: dict[str, list[Path]]) -> Summary:
        summary = Summary()
        started = time.perf_counter()
        for kind in KINDS:
            if files.get(kind):
                summary.kinds.append(self.import_kind(kind, files[kind]))
        if self.pages_touched:
            summary.kinds.append(self.recount_pages())
        if files.get("connections") or files.get("blocks"):
            summary.kinds.append(self.refresh_tops())
        summary.seconds = time.perf_counter() - started
        return summary


def run_import(uri: str, auth: tuple[str, str], org: str, paths: list[Path], *, database: str = "neo4j",
               batch_size: int = 2000, parallel: int = 2, quiet: bool = False) -> Summary:
    """Apply the schema, then import every file found under `paths` into `org`."""
    files = find_files(paths)
    # Deadlocks between parallel batches are retried by the driver, which logs each at
    # WARNING with a page of lock details: the summary's throughput is what matters.
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    if not any(files.values()):
        raise ImportError_("no input files found")
    with neo4j.GraphDatabase.driver(uri, auth=auth, notifications_min_severity="OFF",
                                    max_transaction_retry_time=120.0) as driver:
        importer = Importer(driver, org, database=database, batch_size=batch_size, parallel=parallel, quiet=quiet)
        importer.validate(files)
        importer.apply_schema()
        return importer.run(files)


def print_summary(summary: Summary, stream: Any = sys.stdout) -> None:
    print("import summary", file=stream)
    for stats in summary.kinds:
        print("  " + stats.line(), file=stream)
    edge = summary.as_dict()["edgeRelationshipsPerSecond"]
    print(f"  total {summary.seconds:.1f}s, {summary.relationships:,} relationships created, "
          f"{summary.changes:,} changes; follows+connections+blocks sustained "
          f"{edge if edge is not None else '-'} relationships/s", file=stream)
