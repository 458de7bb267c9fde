"""The relational peer of `make bench-peers`: PostgreSQL on the same generated org, with
the same operations in SQL (bench/sql/*.sql), checked for the same answers as graphsvc.

    python bench/peer_pg.py start|stop|status|reset [--instance bench]
    python bench/peer_pg.py load  --data bench-data/100000 [--org bench] [--instance bench]
    python bench/peer_pg.py check --data bench-data/100000 [--org bench] [--neo4j-instance bench]

The cluster is Debian's PostgreSQL 15 (`make postgres` installs it), one folder per
instance under the ignored `.pg/` (data, log, run, password, state.json), run as the
`postgres` user when we are root (initdb and pg_ctl refuse root), listening on
127.0.0.1 only, on a free port kept across restarts. Its settings are in SETTINGS
below and stated in docs/performance.md. Not a test and not the service: a bench tool.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import fcntl
import hashlib
import json
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg
from psycopg import sql

SQL_DIR = Path(__file__).resolve().parent / "sql"
PG_DIR = Path(os.environ.get("GRAPHSVC_PG_DIR", ROOT / ".pg"))
DATABASE = "peer"
# Debian's layout; a PATH that holds initdb is the fallback on other systems.
BIN_DIRS = [Path("/usr/lib/postgresql/15/bin")]

# Every instance: loopback only, no JIT (its compile time is pure overhead on
# millisecond queries), no parallel plans (OLTP: one core per query, and degree.sql
# relies on UNION ALL branches running in order), SSD costs. Durability is left at
# its defaults (fsync, synchronous_commit on), as Neo4j commits durably too.
COMMON = {"listen_addresses": "'127.0.0.1'", "max_connections": "100", "jit": "off",
          "max_parallel_workers_per_gather": "0", "random_page_cost": "1.1", "effective_io_concurrency": "200",
          "plan_cache_mode": "auto", "logging_collector": "off"}
# Sized per instance: `bench` holds the whole generated org in shared buffers, as
# Neo4j's bench instance holds its store in its page cache (docs/performance.md gives
# both sizes); any other instance (test) is small.
SETTINGS = {
    "bench": {"shared_buffers": "'2GB'", "effective_cache_size": "'4GB'", "work_mem": "'32MB'",
              "maintenance_work_mem": "'512MB'"},
    "small": {"shared_buffers": "'128MB'", "effective_cache_size": "'512MB'", "work_mem": "'16MB'",
              "maintenance_work_mem": "'128MB'"},
}


def log(msg: str) -> None:
    print(f"[postgres] {msg}", file=sys.stderr, flush=True)


# ---- the statements, one file each -------------------------------------------------------------------------------

class Queries:
    """bench/sql/<name>.sql as attributes (`Q.mutual`), as graphsvc's S is for cypher/."""

    def __init__(self, folder: Path):
        self.texts = {p.stem: p.read_text() for p in sorted(folder.glob("*.sql"))}

    def __getattr__(self, name: str) -> str:
        try:
            return self.texts[name]
        except KeyError:
            raise AttributeError(f"no bench/sql/{name}.sql") from None


Q = Queries(SQL_DIR)


# ---- the cluster -------------------------------------------------------------------------------------------------

def bindir() -> Path:
    for d in BIN_DIRS:
        if (d / "initdb").exists():
            return d
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise SystemExit("PostgreSQL 15 is not installed: `make postgres` installs it (apt-get install postgresql-15)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Cluster:
    """One PostgreSQL cluster of the project, in .pg/<name>/."""

    name: str

    @property
    def home(self) -> Path:
        return PG_DIR / self.name

    @property
    def data(self) -> Path:
        return self.home / "data"

    def state(self) -> dict:
        try:
            return json.loads((self.home / "state.json").read_text())
        except (OSError, ValueError):
            return {}

    @property
    def port(self) -> int:
        return int(self.state().get("port", 0))

    @property
    def password(self) -> str:
        return (self.home / "password").read_text().strip()

    @property
    def dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={DATABASE} password={self.password}"

    def _as_owner(self, *cmd: str | Path) -> list[str]:
        """initdb and pg_ctl refuse to run as root: as root, they run as `postgres`."""
        args = [str(c) for c in cmd]
        return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args

    def _chown(self, path: Path) -> None:
        if os.geteuid() == 0:
            shutil.chown(path, "postgres", "postgres")

    def running(self) -> bool:
        if not (self.data / "PG_VERSION").exists():
            return False
        done = subprocess.run(self._as_owner(bindir() / "pg_ctl", "status", "-D", self.data),
                              capture_output=True, text=True, check=False)
        return done.returncode == 0

    def init(self) -> None:
        """initdb from nothing: a password for `postgres`, scram over TCP, peer on the socket."""
        for sub in (self.home, self.home / "run", self.home / "log"):
            sub.mkdir(parents=True, exist_ok=True)
            self._chown(sub)
        pw = self.home / "password"
        if not pw.exists():
            pw.write_text(secrets.token_hex(16))
        pw.chmod(0o600)
        self._chown(pw)
        subprocess.run(self._as_owner(bindir() / "initdb", "-D", self.data, "-U", "postgres", "-E", "UTF8",
                                      "--locale=C", f"--pwfile={pw}", "--auth-host=scram-sha-256",
                                      "--auth-local=peer"),
                       check=True, stdout=subprocess.DEVNULL)
        with (self.data / "postgresql.conf").open("a") as fh:
            fh.write("\n# graphsvc: the settings bench/peer_pg.py writes at each start\ninclude 'graphsvc.conf'\n")

    def _write_conf(self, port: int) -> None:
        sized = SETTINGS["bench" if self.name.startswith("bench") else "small"]
        lines = [f"{k} = {v}" for k, v in {**COMMON, **sized, "port": str(port),
                                            "unix_socket_directories": f"'{self.home / 'run'}'"}.items()]
        conf = self.data / "graphsvc.conf"
        conf.write_text("# Written by bench/peer_pg.py at each start; edit SETTINGS there.\n" + "\n".join(lines) + "\n")
        self._chown(conf)

    def start(self) -> Cluster:
        """Start unless running (initdb first on a fresh folder); return once it answers.
        Concurrent callers take turns, so one server starts."""
        bins = bindir()
        self.home.mkdir(parents=True, exist_ok=True)
        with open(self.home / "start.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if self.running():
                return self
            if not (self.data / "PG_VERSION").exists():
                log(f"initdb {self.data}")
                self.init()
            port = self.state().get("port") or _free_port()
            self._write_conf(port)
            (self.home / "state.json").write_text(json.dumps({"port": port}))
            started = time.monotonic()
            subprocess.run(self._as_owner(bins / "pg_ctl", "start", "-D", self.data, "-l",
                                          self.home / "log" / "postgres.log", "-w", "-t", "120"),
                           check=True, stdout=subprocess.DEVNULL)
            self._create_database()
            log(f"{self.name} ready on 127.0.0.1:{port} ({time.monotonic() - started:.1f}s)")
        return self

    def _create_database(self) -> None:
        admin = self.dsn.replace(f"dbname={DATABASE}", "dbname=postgres")
        with psycopg.connect(admin, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))

    def settings(self) -> dict:
        """What the cluster runs with, as the server reports it (for the bench's record)."""
        names = [*COMMON, *SETTINGS["small"], "server_version", "synchronous_commit", "fsync"]
        with psycopg.connect(self.dsn) as conn:
            return {n: conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(n))).fetchone()[0] for n in names
                    if n not in ("listen_addresses", "logging_collector")}

    def stop(self) -> None:
        if self.running():
            subprocess.run(self._as_owner(bindir() / "pg_ctl", "stop", "-D", self.data, "-m", "fast", "-w"),
                           check=True, stdout=subprocess.DEVNULL)
            log(f"{self.name} stopped")

    def reset(self) -> None:
        self.stop()
        shutil.rmtree(self.home, ignore_errors=True)


# ---- loading the generated files with COPY ------------------------------------------------------------------------

KINDS = ("people", "pages", "follows", "connections", "blocks", "posts")
COLUMNS = {
    "people": {"id", "email", "key", "createdAt", "protected"},
    "pages": {"id", "name", "createdAt"},
    "follows": {"followerId", "followingId", "followingType", "since", "status"},
    "connections": {"id", "requesterId", "targetId", "status", "message", "context", "requestedAt", "respondedAt"},
    "blocks": {"blockerId", "blockedId", "since"},
    "posts": {"id", "authorId", "visibility", "pageId", "createdAt"},
}
# After the COPY, in this order, in one transaction: blocks before the edges they exclude.
TRANSFORMS = ("load_people", "load_pages", "load_blocks", "load_follows", "load_page_follows", "load_connections",
              "load_friends", "load_posts", "load_page_counts")


def data_files(folder: Path) -> dict[str, list[Path]]:
    """The importer's file names (`<kind>.csv`, `<kind>.<anything>.csv`); CSV only, as COPY reads it."""
    found: dict[str, list[Path]] = {k: [] for k in KINDS}
    for p in sorted(folder.iterdir()):
        kind = p.name.split(".")[0]
        if kind in found:
            if p.suffix != ".csv":
                raise SystemExit(f"{p}: the peer loads CSV files only (COPY)")
            found[kind].append(p)
    if not found["people"]:
        raise SystemExit(f"{folder}: no people.csv")
    return found


def digest(files: dict[str, list[Path]]) -> str:
    """Of the files and of the statements that load them: a changed schema reloads too."""
    h = hashlib.sha1()
    for name in ("schema", "schema_keys", "load_stage", *TRANSFORMS):
        h.update(getattr(Q, name).encode())
    for kind in KINDS:
        for p in files[kind]:
            h.update(p.name.encode())
            with p.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
    return h.hexdigest()


def _copy(cur: psycopg.Cursor, kind: str, path: Path) -> None:
    with path.open(newline="", encoding="utf-8") as fh:
        header = next(csv.reader([fh.readline()]))
    unknown = set(header) - COLUMNS[kind]
    if unknown:
        raise SystemExit(f"{path}: unknown columns {sorted(unknown)}")
    stmt = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv, HEADER true)").format(
        sql.Identifier(f"stage_{kind}"), sql.SQL(", ").join(map(sql.Identifier, header)))
    with path.open("rb") as fh, cur.copy(stmt) as copy:
        while chunk := fh.read(1 << 20):
            copy.write(chunk)


def loaded_digest(dsn: str, org: str) -> str | None:
    with psycopg.connect(dsn) as conn:
        if not conn.execute("SELECT to_regclass('loaded') IS NOT NULL").fetchone()[0]:
            return None
        row = conn.execute(Q.loaded, {"org": org}).fetchone()
        return row[1] if row else None


def load(dsn: str, org: str, folder: Path, quiet: bool = False) -> dict:
    """Replace the database's contents with `org` from the files under `folder`: schema,
    COPY into staging tables, the load_* statements (the importer's rules), VACUUM
    ANALYZE. Returns rows per table and seconds per step."""
    files = data_files(folder)
    steps: dict[str, float] = {}
    t0 = time.perf_counter()
    with psycopg.connect(dsn) as conn:
        with conn.transaction():
            conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public")
            conn.execute(Q.schema)
            conn.execute(Q.load_stage)
            t = time.perf_counter()
            with conn.cursor() as cur:
                for kind in KINDS:
                    for path in files[kind]:
                        _copy(cur, kind, path)
            # Temporary and just-filled tables have no statistics yet: the joins below need them.
            conn.execute("ANALYZE stage_people, stage_pages, stage_follows, stage_connections, stage_blocks, "
                         "stage_posts")
            steps["copy"] = time.perf_counter() - t
            for name in TRANSFORMS:
                t = time.perf_counter()
                conn.execute(getattr(Q, name), {"org": org})
                if name == "load_blocks":
                    conn.execute("ANALYZE person, page, block")
                steps[name] = time.perf_counter() - t
            t = time.perf_counter()
            conn.execute(Q.schema_keys)
            steps["keys"] = time.perf_counter() - t
            conn.execute(Q.load_mark, {"org": org, "source": str(folder), "digest": digest(files)})
        conn.autocommit = True
        t = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        steps["vacuum_analyze"] = time.perf_counter() - t
        counts = {name: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name))).fetchone()[0]
                  for name in ("person", "page", "connection", "friend", "follow", "page_follow", "block", "post")}
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
    out = {"rows": counts, "seconds": {k: round(v, 2) for k, v in steps.items()},
           "total": round(time.perf_counter() - t0, 2), "size": size}
    if not quiet:
        log(f"loaded {org} from {folder} in {out['total']}s ({size}): {counts}")
    return out


def ensure_loaded(cluster: Cluster, org: str, folder: Path) -> dict | None:
    """Load unless the database already holds `org` from these very files (the load's
    figures, or None when it did)."""
    if loaded_digest(cluster.dsn, org) != digest(data_files(folder)):
        return load(cluster.dsn, org, folder)
    log(f"{org} already loaded from these files")
    return None


# ---- the peer's operations ----------------------------------------------------------------------------------------

class Peer:
    """The PostgreSQL side of each operation, through psycopg 3 (async). Every statement
    is prepared on its first use on a connection (prepare_threshold=0) and PostgreSQL's
    plan cache then picks custom or generic plans itself (plan_cache_mode=auto, not
    forced). One connection per concurrent caller, as graphsvc's driver pool holds them."""

    def __init__(self, dsn: str, org: str):
        self.dsn, self.org = dsn, org
        self.free: list[psycopg.AsyncConnection] = []
        self.all: list[psycopg.AsyncConnection] = []

    async def _conn(self) -> psycopg.AsyncConnection:
        if self.free:
            return self.free.pop()
        conn = await psycopg.AsyncConnection.connect(self.dsn, autocommit=True, prepare_threshold=0)
        if not self.all:
            # Not part of schema.sql, whose digest decides a reload of the loaded org.
            await conn.execute(Q.degree_bfs_fn)
        self.all.append(conn)
        return conn

    async def close(self) -> None:
        for conn in self.all:
            await conn.close()
        self.all, self.free = [], []

    async def fetch(self, query: str, **params: Any) -> list[tuple]:
        conn = await self._conn()
        try:
            cur = await conn.execute(query, params)
            return await cur.fetchall()
        finally:
            self.free.append(conn)

    async def write(self, work: Callable[[psycopg.AsyncConnection], Awaitable[Any]]) -> Any:
        conn = await self._conn()
        try:
            async with conn.transaction():
                return await work(conn)
        finally:
            self.free.append(conn)

    async def floor(self) -> None:
        await self.fetch(Q.floor)

    async def visibility(self, viewer: str, posts: list[str]) -> list[tuple]:
        (visible, reasons, muted), = await self.fetch(Q.visibility, org=self.org, viewer=viewer, postIds=posts)
        return list(zip(visible, reasons, muted))

    async def _page(self, query: str, **params: Any) -> tuple[int, list[tuple]]:
        got = await self.fetch(query, org=self.org, **params)
        return got[0][0], [r[1:] for r in got if r[1] is not None or r[2] is not None]

    async def mutual(self, me: str, other: str, skip: int = 0, limit: int = 21, after: str | None = None) -> tuple:
        total, page = await self._page(Q.mutual, me=me, other=other, skip=skip, limit=limit, after=after)
        return total, [r[0] for r in page]

    async def degree(self, me: str, other: str, max_depth: int = 3, recursive: bool = False) -> tuple:
        got = await self.fetch(Q.degree_recursive if recursive else Q.degree, org=self.org, me=me, other=other,
                               maxDepth=max_depth)
        return (got[0][0], list(got[0][1])) if got else (None, [])

    async def degree_bfs(self, me: str, other: str, max_depth: int = 6) -> tuple:
        got = await self.fetch(Q.degree_bfs, org=self.org, me=me, other=other, maxDepth=max_depth)
        return (got[0][0], list(got[0][1])) if got else (None, [])

    async def degree_recursive_capped(self, me: str, other: str, max_depth: int, timeout_ms: int) -> tuple | None:
        """degree_recursive.sql under a statement_timeout: None when it was cancelled."""
        async def work(conn: psycopg.AsyncConnection) -> tuple:
            await conn.execute("SELECT set_config('statement_timeout', %s, true)", (str(timeout_ms),))
            cur = await conn.execute(Q.degree_recursive, {"org": self.org, "me": me, "other": other,
                                                          "maxDepth": max_depth})
            got = await cur.fetchall()
            return (got[0][0], list(got[0][1])) if got else (None, [])
        try:
            return await self.write(work)
        except psycopg.errors.QueryCanceled:
            return None

    async def suggestions(self, me: str, skip: int = 0, limit: int = 21, max_friends: int = 1000,
                          fanout: int = 1000) -> tuple:
        total, page = await self._page(Q.suggestions, me=me, skip=skip, limit=limit, maxFriends=max_friends,
                                       fanout=fanout)
        return total, [(r[0], r[2]) for r in page]

    async def followers(self, me: str, skip: int = 0, limit: int = 21, after: list | None = None) -> tuple:
        """`after`: graphsvc's cursor key of the previous page's last item, [since, id]."""
        since, after_id = (datetime.fromisoformat(after[0]), after[1]) if after else (None, None)
        total, page = await self._page(Q.followers, me=me, skip=skip, limit=limit, afterSince=since,
                                       afterId=after_id)
        return total, [(r[0], r[2].timestamp()) for r in page]

    async def follow(self, me: str, target: str, max_follows: int = 5000) -> str:
        async def work(conn: psycopg.AsyncConnection) -> str:
            await conn.execute(Q.lock_pair, {"org": self.org, "a": me, "b": target})
            cur = await conn.execute(Q.follow, {"org": self.org, "me": me, "target": target,
                                                "maxFollows": max_follows})
            row = await cur.fetchone()
            return row[0] if row else "unknown"
        return await self.write(work)

    async def request_accept(self, me: str, target: str, max_pending: int = 1000) -> str:
        """Request, then (if it is a new pending request) the target accepts: two
        transactions, as two API calls are. The outcome of the request, or of the accept."""
        outcome, conn_id = await self.request_only(me, target, max_pending)
        if outcome != "created":
            return outcome

        async def accept(conn: psycopg.AsyncConnection) -> str:
            await conn.execute(Q.lock_pair, {"org": self.org, "a": me, "b": target})
            cur = await conn.execute(Q.accept, {"org": self.org, "me": target, "id": conn_id})
            return (await cur.fetchone())[0]

        answer = await self.write(accept)
        return "created+accepted" if answer == "ok" else f"created+{answer}"

    async def request_only(self, me: str, target: str, max_pending: int = 1000) -> tuple[str, int | None]:
        """A request, left for the target to answer: (outcome, connection key)."""
        async def ask(conn: psycopg.AsyncConnection) -> tuple:
            await conn.execute(Q.lock_pair, {"org": self.org, "a": me, "b": target})
            cur = await conn.execute(Q.request, {"org": self.org, "me": me, "target": target, "message": None,
                                                 "maxPending": max_pending})
            return await cur.fetchone() or ("unknown", None)
        return await self.write(ask)

    async def unfollow(self, me: str, target: str) -> None:
        await self.fetch(Q.unfollow, org=self.org, me=me, target=target)

    async def disconnect(self, a: str, b: str) -> None:
        await self.fetch(Q.disconnect, org=self.org, a=a, b=b)


# ---- graphsvc's side of each operation, through its domain functions --------------------------------------------

class Graphsvc:
    """The same operations through graphsvc's domain functions in managed transactions on
    the raw Neo4j driver: what the API runs, minus HTTP."""

    def __init__(self, driver: Any, org: str):
        self.driver, self.org = driver, org

    async def read(self, fn: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        async with self.driver.session(database="neo4j") as session:
            return await session.execute_read(fn, *args)

    async def write(self, fn: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        async with self.driver.session(database="neo4j") as session:
            return await session.execute_write(fn, *args)

    async def visibility(self, viewer: str, posts: list[str]) -> list[tuple]:
        from graphsvc.domain import visibility
        from graphsvc.people import PersonRef

        got = await self.read(visibility.check_stored, self.org, PersonRef(id=viewer), posts)
        return [(v["visible"], v["reason"], v["muted"]) for v in got]

    async def mutual(self, me: str, other: str, skip: int = 0, limit: int = 21) -> tuple:
        from graphsvc.domain import Window, connections
        from graphsvc.people import PersonRef

        page = await self.read(connections.mutual, self.org, PersonRef(id=me), PersonRef(id=other),
                               Window(skip, limit))
        return page.total, [m["id"] for m in page.data]

    async def degree(self, me: str, other: str, max_depth: int = 3) -> tuple:
        from graphsvc.domain import graph
        from graphsvc.people import PersonRef

        got = await self.read(graph.degree, self.org, PersonRef(id=me), PersonRef(id=other), max_depth)
        return got["degree"], [p["id"] for p in got["path"]]

    async def suggestions(self, me: str, skip: int = 0, limit: int = 21, max_friends: int | None = None,
                          fanout: int | None = None) -> tuple:
        """The domain's answer, with its caps unless others are given."""
        from graphsvc.domain import Window, graph
        from graphsvc.people import PersonRef

        caps = (graph.MAX_FRIENDS if max_friends is None else max_friends, graph.FANOUT if fanout is None else fanout)
        page = await self.read(graph.suggestions, self.org, PersonRef(id=me), Window(skip, limit), *caps)
        return page.total, [(s["user"]["id"], s["mutualCount"]) for s in page.data]

    async def followers(self, me: str, skip: int = 0, limit: int = 21, after: list | None = None,
                        keys: bool = False) -> tuple:
        from graphsvc.domain import Window, follows
        from graphsvc.people import PersonRef

        page = await self.read(follows.followers, self.org, PersonRef(id=me), Window(skip, limit, after))
        items = [(f["id"], datetime.fromisoformat(f["followedAt"]).timestamp()) for f in page.data]
        return (page.total, items, [f["_key"] for f in page.data]) if keys else (page.total, items)

    async def follow(self, me: str, target: str, max_follows: int = 5000) -> str:
        from graphsvc.domain import follows
        from graphsvc.errors import ApiError
        from graphsvc.people import PersonRef

        try:
            got = await self.write(follows.follow_person, self.org, PersonRef(id=me), PersonRef(id=target),
                                   max_follows)
        except ApiError as exc:
            return {"self_follow": "self", "blocked": "blocked", "follow_limit": "limit"}.get(exc.code, exc.code)
        if got["created"]:
            return "created" if got["status"] == "active" else "requested"
        return "exists" if got["status"] == "active" else "pending"

    async def request_accept(self, me: str, target: str, max_pending: int = 1000) -> str:
        from graphsvc.domain import connections
        from graphsvc.errors import ApiError
        from graphsvc.people import PersonRef

        try:
            kind, rec = await self.write(connections.request, self.org, PersonRef(id=me), PersonRef(id=target),
                                         None, None, max_pending)
        except ApiError as exc:
            return {"self_connection": "self", "blocked": "blocked", "already_connected": "connected",
                    "already_pending": "pending", "pending_limit": "limit"}.get(exc.code, exc.code)
        if kind == "accepted":
            return "accept"
        try:
            await self.write(connections.respond, self.org, PersonRef(id=target), rec["id"], "accept")
        except ApiError as exc:
            return f"created+{exc.code}"
        return "created+accepted"

    async def unfollow(self, me: str, target: str) -> None:
        from graphsvc.domain import follows
        from graphsvc.errors import ApiError
        from graphsvc.people import PersonRef

        try:
            await self.write(follows.unfollow, self.org, PersonRef(id=me), PersonRef(id=target), "person")
        except ApiError:
            pass  # already gone

    async def disconnect(self, a: str, b: str) -> None:
        from graphsvc.domain import connections
        from graphsvc.errors import ApiError
        from graphsvc.people import PersonRef

        try:
            await self.write(connections.remove_with, self.org, PersonRef(id=a), PersonRef(id=b))
        except ApiError:
            pass


# ---- same answers, or no figures ----------------------------------------------------------------------------------

# Suggestion caps small enough to bind for most people in any org (max friends, fanout): the
# check compares both stores' ordered cut with these as well as with graphsvc's own.
SMALL_CAPS = (5, 20)


class Mismatch(Exception):
    """The two stores answered one input differently: the run stops and says which."""

    def __init__(self, op: str, given: Any, graphsvc: Any, postgres: Any):
        super().__init__(f"{op}: answers differ for input {given!r}\n  graphsvc: {graphsvc!r}\n  postgres: {postgres!r}")
        self.op, self.given, self.graphsvc, self.postgres = op, given, graphsvc, postgres


@dataclass
class Tally:
    """What one op's check saw: how many inputs agreed, and which kinds of answers came up
    (so a check that only ever compared empty answers shows it)."""

    samples: int = 0
    seen: dict[str, int] = field(default_factory=dict)

    def add(self, *kinds: Any) -> None:
        self.samples += 1
        for k in kinds:
            self.seen[str(k)] = self.seen.get(str(k), 0) + 1


async def _sample(peer: Peer, query: str, **params: Any) -> list[tuple]:
    return await peer.fetch(query, org=peer.org, **params)


async def far_pairs(pg: Peer, rng: random.Random, per_distance: int = 10, sources: int = 8) -> dict:
    """Pairs at true distance 4, 5 and 6 over `friend` (and unreachable within 6: None),
    from a BFS in Python from a few random low-degree people: {distance: [(a, b), ...]}.
    The people are drawn by `rng`, so one seed gives the same pairs on the same data."""
    adj: dict[str, list[str]] = {}
    for a, b in await pg.fetch(Q.sample_friend_edges, org=pg.org):
        adj.setdefault(a, []).append(b)
    named = sorted(p for p in adj if p is not None)  # email-only people have no ext_id
    people = rng.sample(named, min(len(named), 10 * sources))
    low = sorted(people, key=lambda p: len(adj.get(p, ())))[:sources]
    out: dict = {4: [], 5: [], 6: [], None: []}
    for src in low:
        dist = {src: 0}
        level = [src]
        for d in range(1, 7):
            nxt = []
            for x in level:
                for y in adj.get(x, ()):
                    if y not in dist:
                        dist[y] = d
                        nxt.append(y)
            level = nxt
        by: dict = {4: [], 5: [], 6: []}
        for who, d in dist.items():
            if d >= 4:
                by[d].append(who)
        for d, found in by.items():
            out[d] += [(src, b) for b in rng.sample(sorted(found), min(len(found), per_distance // sources + 1))]
        far = sorted(p for p in people if p not in dist)
        out[None] += [(src, b) for b in rng.sample(far, min(len(far), 1))]
    return {d: v[:per_distance] for d, v in out.items()}


# The WITH RECURSIVE form at depth 6 may walk most of the org: cancelled past this.
RECURSIVE_CAP_MS = 10_000


class Checker:
    """Runs each op on ≥ n sampled inputs on both stores; raises Mismatch on the first
    difference. Writes are undone on both stores afterwards."""

    def __init__(self, pg: Peer, gs: Graphsvc, n: int = 50, seed: int = 7, hubs: list[str] | None = None,
                 recursive_every: int = 1):
        self.pg, self.gs, self.n, self.rng = pg, gs, n, random.Random(seed)
        # The WITH RECURSIVE form is the slow one (that is what it is there to show): a
        # quick run (the test suite's) checks it on every k-th input only.
        self.recursive_every = recursive_every
        self.hubs = hubs or []
        self.tallies: dict[str, Tally] = {}
        self.notes: list[str] = []

    def tally(self, op: str) -> Tally:
        return self.tallies.setdefault(op, Tally())

    def same(self, op: str, given: Any, a: Any, b: Any) -> None:
        if a != b:
            raise Mismatch(op, given, a, b)

    async def setup(self) -> None:
        """Every input drawn here, in one session whose random() is seeded: the same seed on
        the same data draws the same inputs."""
        self.pg.free.append(await self.pg._conn())  # drawn first by each sequential call below
        await self.pg.fetch(Q.sample_seed, seed=self.rng.random() * 2 - 1)
        # (post, author, a friend, a follower, a page follower, a blocked-with) of n random posts
        self.related = await _sample(self.pg, Q.sample, n=self.n)
        self.people = [r[0] for r in await _sample(self.pg, Q.sample_people, n=4 * self.n)]
        self.posts = [r[0] for r in await _sample(self.pg, Q.sample_posts, n=1000)]
        self.pairs = await _sample(self.pg, Q.sample_pairs, n=self.n)
        self.most_followed = [r[0] for r in await _sample(self.pg, Q.sample_followed, n=10)]
        self.follow_edges = await _sample(self.pg, Q.sample_follow_edges, n=10)
        self.request_edges = await _sample(self.pg, Q.sample_request_edges, n=10)

    def person(self) -> str:
        return self.rng.choice(self.people)

    def two(self) -> tuple[str, str]:
        a, b = self.rng.sample(self.people, 2)
        return a, b

    async def each(self, inputs: list, fn: Callable[..., Awaitable[None]]) -> None:
        """Reads are independent: a few inputs at a time (the check is never timed)."""
        gate = asyncio.Semaphore(4)

        async def one(given: tuple) -> None:
            async with gate:
                await fn(*given)
        await asyncio.gather(*(one(g) for g in inputs))

    async def visibility(self) -> None:
        t1, tn = self.tally("visibility_1"), self.tally("visibility_1000")

        async def single(viewer: str, post: str) -> None:
            given = (viewer, [post])
            a, b = await self.gs.visibility(*given), await self.pg.visibility(*given)
            self.same("visibility_1", given, a, b)
            t1.add(a[0][1])

        async def batch(viewer: str, posts: list[str]) -> None:
            a, b = await self.gs.visibility(viewer, posts), await self.pg.visibility(viewer, posts)
            self.same("visibility_1000", (viewer, posts), a, b)
            tn.add(*{v[1] for v in a})

        await self.each([(viewer, post) for post, author, friend, follower, page_follower, blocked in self.related
                         for viewer in (self.person(), author, friend, follower, page_follower, blocked,
                                        "usr_nobody_at_all") if viewer is not None], single)
        await self.each([(self.person(), self.rng.sample(self.posts, min(1000, len(self.posts))) + ["post_missing"])
                         for _ in range(self.n)], batch)

    def _pair_inputs(self) -> list[tuple[str, str, str]]:
        """Random pairs, friends, friends of friends, hubs: (kind, a, b)."""
        out = [("random", *self.two()) for _ in range(self.n)]
        out += [("friends", a, b) for a, b, _ in self.pairs]
        out += [("two hops", a, c) for a, _, c in self.pairs if c and c != a]
        out += [("hubs", a, b) for a in self.hubs for b in self.hubs if a < b]
        return out

    async def mutual(self) -> None:
        t = self.tally("mutual")

        async def pair(kind: str, a: str, b: str) -> None:
            for skip in (0, 20):
                x, y = await self.gs.mutual(a, b, skip), await self.pg.mutual(a, b, skip)
                self.same("mutual", (a, b, skip), x, y)
                if skip == 0:
                    t.add(kind, "empty" if not x[0] else "some")
        await self.each(self._pair_inputs(), pair)

    async def degree(self) -> None:
        t, tr = self.tally("degree"), self.tally("degree_recursive")

        async def pair(i: int, a: str, b: str) -> None:
            (x, _), (y, yp) = await self.gs.degree(a, b), await self.pg.degree(a, b)
            self.same("degree", (a, b), x, y)
            await self._path_ok("degree", (a, b), y, yp)
            t.add(y)
            if i % self.recursive_every == 0:
                z, zp = await self.pg.degree(a, b, recursive=True)
                self.same("degree_recursive", (a, b), x, z)
                await self._path_ok("degree_recursive", (a, b), z, zp)
                tr.add(z)
        await self.each([(i, a, b) for i, (_, a, b) in enumerate(self._pair_inputs()) if a != b], pair)

    async def degree_6(self) -> None:
        t, tr = self.tally("degree_6"), self.tally("degree_6_recursive")
        pairs = await far_pairs(self.pg, self.rng, per_distance=max(3, self.n // 5))
        inputs = [(i, a, b) for i, (a, b) in enumerate(p for v in pairs.values() for p in v)]
        inputs += [(len(inputs) + i, a, b) for i, (_, a, b) in enumerate(self._pair_inputs()[:self.n]) if a != b]

        async def pair(i: int, a: str, b: str) -> None:
            (x, xp), (y, yp) = await self.gs.degree(a, b, 6), await self.pg.degree_bfs(a, b, 6)
            self.same("degree_6", (a, b), x, y)
            await self._path_ok("degree_6", (a, b), y, yp)
            await self._path_ok("degree_6 graphsvc", (a, b), x, xp)
            t.add(y)
            if i % (self.recursive_every * 4) == 0:
                z = await self.pg.degree_recursive_capped(a, b, 6, RECURSIVE_CAP_MS)
                if z is None:
                    tr.add("timeout")
                else:
                    self.same("degree_6_recursive", (a, b), x, z[0])
                    await self._path_ok("degree_6_recursive", (a, b), *z)
                    tr.add(z[0])
        await self.each(inputs, pair)

    async def _path_ok(self, op: str, given: Any, depth: int | None, path: list[str]) -> None:
        """PostgreSQL's path: depth + 1 people from one end to the other, each hop a friendship."""
        if depth is None:
            return self.same(op, given, [], path)
        self.same(op, given, (depth + 1, given[0], given[1]), (len(path), path[0], path[-1]))
        for x, y in pairwise(path):
            self.same(op + " path hop", (given, x, y), 1, (await self.pg.degree(x, y, 1))[0])

    async def suggestions(self) -> None:
        """With graphsvc's caps on both sides (both cut a hub's friends in key order, so
        the caps need not be lifted), and again with SMALL_CAPS, which bind for most
        people in any org, so the ordered cut is compared even where 1,000 binds nowhere."""
        from graphsvc.domain import graph

        t = self.tally("suggestions")

        async def person(me: str) -> None:
            x = await self.gs.suggestions(me)
            y = await self.pg.suggestions(me, max_friends=graph.MAX_FRIENDS, fanout=graph.FANOUT)
            self.same("suggestions", me, x, y)
            t.add("empty" if not x[0] else "some")
            x = await self.gs.suggestions(me, max_friends=SMALL_CAPS[0], fanout=SMALL_CAPS[1])
            y = await self.pg.suggestions(me, max_friends=SMALL_CAPS[0], fanout=SMALL_CAPS[1])
            self.same("suggestions (small caps)", me, x, y)
        await self.each([(me,) for me in [self.person() for _ in range(self.n)] + self.hubs], person)

    async def followers(self) -> None:
        t1, td = self.tally("followers_page1"), self.tally("followers_deep")

        async def person(me: str) -> None:
            x, y = await self.gs.followers(me), await self.pg.followers(me)
            self.same("followers_page1", me, x, y)
            t1.add("empty" if not x[0] else "some")
            # The deep page as the bench reads it: page min(500, last), by offset and by cursor.
            skip = max(0, min(499, x[0] // 20 - 1)) * 20
            x, y = await self.gs.followers(me, skip), await self.pg.followers(me, skip)
            self.same("followers_deep", (me, skip), x, y)
            td.add("empty" if not x[1] else "some")
            if skip:
                *_, keys = await self.gs.followers(me, skip - 1, 1, keys=True)
                x, y = await self.gs.followers(me, 0, 21, keys[0]), await self.pg.followers(me, 0, 21, keys[0])
                self.same("followers_deep", (me, keys[0]), x, y)
        await self.each([(me,) for me in self.most_followed + [self.person() for _ in range(self.n)]], person)

    async def follow(self) -> None:
        t = self.tally("follow")
        inputs = [self.two() for _ in range(self.n)]
        inputs += [(a, b) for a, b in self.follow_edges]
        inputs += [(a, a) for a in self.people[:2]]
        done = []
        for a, b in inputs:
            x = await self.gs.follow(a, b)
            y = await self.pg.follow(a, b)
            if x in ("created", "requested"):
                done.append((a, b))
            self.same("follow", (a, b), x, y)
            t.add(x)
        for a, b in done:
            await self.gs.unfollow(a, b)
            await self.pg.unfollow(a, b)

    async def request_accept(self) -> None:
        """Random pairs, friends (connected), blocked pairs, one's own pending requests.
        A request the other side had already sent would accept theirs: not sampled, as
        undoing it would not give the files' pending request back byte for byte."""
        t = self.tally("request_accept")
        inputs = [self.two() for _ in range(self.n)]
        inputs += [(a, b) for a, b, _ in self.pairs[:10]]
        inputs += [(a, b) for a, b in self.request_edges]
        done = []
        for a, b in inputs:
            x = await self.gs.request_accept(a, b)
            y = await self.pg.request_accept(a, b)
            if x.startswith("created") or x == "accept":
                done.append((a, b))
            self.same("request_accept", (a, b), x, y)
            t.add(x)
        for a, b in done:
            await self.gs.disconnect(a, b)
            await self.pg.disconnect(a, b)

    async def compare(self) -> dict:
        await self.setup()
        seconds = {}
        for step in (self.visibility, self.mutual, self.degree, self.degree_6, self.followers, self.follow, self.request_accept,
                     self.suggestions):
            t = time.perf_counter()
            await step()
            seconds[step.__name__] = round(time.perf_counter() - t, 2)
        return {**{op: {"samples": t.samples, "seen": t.seen} for op, t in self.tallies.items()}, "seconds": seconds}


async def suggestion_caps(pg: Peer) -> str:
    """What the suggestions check compared: graphsvc's caps and SMALL_CAPS, both stores
    cutting in key order, and whether graphsvc's caps bind anywhere in the org."""
    from graphsvc.domain import graph

    (top,), = await pg.fetch(Q.max_degree, org=pg.org)
    binds = "bind" if (top or 0) > min(graph.MAX_FRIENDS, graph.FANOUT) else "bind nowhere"
    return (f"graphsvc's {graph.MAX_FRIENDS}/{graph.FANOUT} ({binds} here: most friends {top or 0}) and "
            f"{SMALL_CAPS[0]}/{SMALL_CAPS[1]}, on both sides, cut in key order")


async def check(pg: Peer, gs: Graphsvc, n: int = 50, hubs: list[str] | None = None, quiet: bool = False,
                recursive_every: int = 1) -> dict:
    """Every op on ≥ n inputs on both stores; Mismatch on the first difference."""
    caps = await suggestion_caps(pg)
    started = time.perf_counter()
    report = await Checker(pg, gs, n, hubs=hubs, recursive_every=recursive_every).compare()
    report["suggestionCaps"] = caps
    if not quiet:
        counts = ", ".join(f"{op} {r['samples']}" for op, r in report.items() if isinstance(r, dict) and "samples" in r)
        log(f"answers agree: {counts} "
            f"inputs; suggestion caps {report['suggestionCaps']} ({time.perf_counter() - started:.1f}s)")
    return report


# ---- command line -------------------------------------------------------------------------------------------------

async def _check_cli(args: argparse.Namespace, cluster: Cluster) -> int:
    import neo4j

    from graphsvc.ops import localdb

    inst = localdb.instance(args.neo4j_instance)
    folder = Path(args.data)
    ensure_loaded(cluster, args.org, folder)
    manifest = json.loads((folder / "manifest.json").read_text()) if (folder / "manifest.json").exists() else {}
    driver = neo4j.AsyncGraphDatabase.driver(inst.uri, auth=("neo4j", inst.password),
                                            notifications_min_severity="OFF")
    pg = Peer(cluster.dsn, args.org)
    try:
        report = await check(pg, Graphsvc(driver, args.org), args.samples, manifest.get("hubs", [])[:3])
    except Mismatch as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        await pg.close()
        await driver.close()
    print(json.dumps(report, indent=1))
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("action", choices=["start", "stop", "status", "reset", "load", "check"])
    p.add_argument("--instance", default="bench", help="the cluster under .pg/ (bench, test, ...)")
    p.add_argument("--org", default="bench")
    p.add_argument("--data", help="load/check: the generated folder, e.g. bench-data/100000")
    p.add_argument("--neo4j-instance", default="bench", help="check: the local Neo4j instance holding the org")
    p.add_argument("--samples", type=int, default=50)
    args = p.parse_args(argv)
    cluster = Cluster(args.instance)
    if args.action == "start":
        cluster.start()
        print(f"PostgreSQL {cluster.name}: {cluster.dsn.replace(cluster.password, '<.pg/' + cluster.name + '/password>')}")
    elif args.action == "stop":
        cluster.stop()
    elif args.action == "status":
        up = cluster.running()
        print(f"{cluster.name}: {f'running on 127.0.0.1:{cluster.port}' if up else 'stopped'}")
        return 0 if up else 3
    elif args.action == "reset":
        cluster.reset()
    elif not args.data:
        p.error(f"{args.action} needs --data")
    elif args.action == "load":
        cluster.start()
        print(json.dumps(load(cluster.dsn, args.org, Path(args.data)), indent=1))
    else:
        cluster.start()
        return asyncio.run(_check_cli(args, cluster))
    return 0


if __name__ == "__main__":
    sys.exit(main())
