"""The scale-out path (issue 17, item 4): the same service against a cluster.

Neo4j Community cannot cluster, so what can be proven here is what a cluster relies on:
the local server answers the `neo4j://` routing scheme with a routing table that names
itself (the whole suite runs that way with `make test-routing`); every read the service
makes runs in READ access mode (a managed read transaction, or an auto-commit query in a
READ session), which a cluster may serve from any secondary and which the server itself
refuses to let write; a read right after a write sees it (the driver's bookmarks); and an
auto-commit read is retried on the errors the driver retries. docs/scaling.md says what
changes against Enterprise or Aura.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import sys
import threading
import time
import uuid

import pytest
from neo4j.exceptions import ClientError, TransientError

from graphsvc.api.app import ENDPOINTS
from graphsvc.config import Settings
from graphsvc.db import Database
from graphsvc.domain import Window, follows
from graphsvc.people import PersonRef


def test_the_routing_table_names_the_server_itself(driver, neo4j_target):
    """A `neo4j://` driver goes where the routing table says: for the local server that
    must be the Bolt port it listens on, not Neo4j's default 7687 (another instance, or
    nothing)."""
    records = driver.execute_query("CALL dbms.routing.getRoutingTable({}, 'neo4j')").records
    servers = {s["role"]: s["addresses"] for s in records[0]["servers"]}
    assert set(servers) == {"WRITE", "READ", "ROUTE"}, servers
    if neo4j_target.instance is not None:
        conf = (neo4j_target.instance.home / "conf" / "neo4j.conf").read_text()
        if "server.bolt.advertised_address" not in conf:
            pytest.skip("the local test Neo4j was started before localdb named its advertised Bolt address; "
                        "restart it (graphsvc db stop --instance test) to check its routing table")
        port = neo4j_target.instance.state()["bolt_port"]
        assert all(addresses == [f"127.0.0.1:{port}"] for addresses in servers.values()), servers


def _settings(target, db_timeout: float = 10.0) -> Settings:
    return Settings(neo4j_uri=target.uri, neo4j_user=target.user, neo4j_password=target.password,
                    neo4j_database="neo4j", jwt_secret=None, jwt_public_key=None, db_timeout=db_timeout)


def test_a_write_through_the_read_path_is_refused_by_the_server(neo4j_target, driver):
    """`Database.read` and `Database.query`, the two ways the service reads, run in READ access
    mode (a read transaction; an auto-commit query whose RUN carries mode 'r'): the server
    itself refuses a statement that writes in either, and the refusal is not retried. The same
    work through `Database.write` is accepted, so the refusal is the access mode and nothing else."""
    org = "org-" + uuid.uuid4().hex[:12]
    attempts = []

    async def create(tx) -> None:
        attempts.append(tx)
        await (await tx.run("CREATE (:Person {org: $org, id: 'probe'})", {"org": org})).consume()

    def people() -> int:
        return driver.execute_query("MATCH (p:Person {org: $org}) RETURN count(p) AS n", org=org).records[0]["n"]

    async def main() -> None:
        db = Database(_settings(neo4j_target))
        try:
            for read in (db.read, db.query):
                attempts.clear()
                with pytest.raises(ClientError) as refused:
                    await read(create)
                assert refused.value.code == "Neo.ClientError.Statement.AccessMode", (read, refused.value)
                assert len(attempts) == 1, read
                assert people() == 0
            await db.write(create)
            assert people() == 1
        finally:
            await db.close()

    asyncio.run(main())


def test_an_auto_commit_read_right_after_a_write_sees_it(neo4j_target):
    """Read-your-writes for `Database.query`: its sessions share the bookmark manager the
    write sessions update, so each read waits for the write before it."""
    org, me = "org-" + uuid.uuid4().hex[:12], PersonRef("usr_reader")

    async def main() -> None:
        db = Database(_settings(neo4j_target))
        try:
            for i in range(10):
                await db.write(follows.follow_person, org, me, PersonRef(f"usr_t{i}"), 5000)
                assert (await db.query(follows.stats, org, me))["following"] == i + 1
                page = await db.query(follows.following, org, me, "person", "active", Window(0, 100))
                assert f"usr_t{i}" in {item["id"] for item in page.data}
        finally:
            await db.close()

    asyncio.run(main())


def _real_deadlock(driver) -> TransientError:
    """A DeadlockDetected from the server itself: two write transactions lock two nodes in
    opposite orders. Reads take no locks, so no read can meet one; this instance is what the
    driver raises when a transaction does."""
    org = "org-" + uuid.uuid4().hex[:12]
    driver.execute_query("CREATE (:Probe {org: $org, n: 1}), (:Probe {org: $org, n: 2})", org=org)
    both_locked = threading.Barrier(2, timeout=30)
    errors: list[Exception] = []

    def lock(first: int, second: int) -> None:
        try:
            with driver.session() as session, session.begin_transaction() as tx:
                for n in (first, second):
                    tx.run("MATCH (p:Probe {org: $org, n: $n}) SET p.by = $by", org=org, n=n, by=first).consume()
                    if n == first:
                        both_locked.wait()
                tx.commit()
        except TransientError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=lock, args=pair) for pair in ((1, 2), (2, 1))]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        driver.execute_query("MATCH (p:Probe {org: $org}) DELETE p", org=org)
    assert len(errors) == 1 and errors[0].code == "Neo.TransientError.Transaction.DeadlockDetected", errors
    assert errors[0].is_retryable()
    return errors[0]


def test_a_transient_error_on_an_auto_commit_read_is_retried(neo4j_target, driver):
    """`Database.query` retries what the driver's managed transactions retry, after the first
    delay (50 ms, with jitter), and gives up after `db_timeout` with the last error. A read
    cannot be made to meet a transient error on one server (it takes no locks; terminating it
    is a client error), so a real one, captured from a deadlock between two writes, is raised
    on the first attempt before the real statement runs on the real session."""
    deadlock = _real_deadlock(driver)
    org, me = "org-" + uuid.uuid4().hex[:12], PersonRef("usr_reader")
    attempts: list[float] = []

    async def once(unit, *args):
        attempts.append(time.monotonic())
        if len(attempts) == 1:
            raise deadlock
        return await follows.stats(unit, *args)

    async def always(unit):
        attempts.append(time.monotonic())
        raise deadlock

    async def main() -> None:
        db = Database(_settings(neo4j_target, db_timeout=0.5))
        try:
            await db.write(follows.follow_person, org, me, PersonRef("usr_t"), 5000)
            assert (await db.query(once, org, me))["following"] == 1
            assert len(attempts) == 2 and attempts[1] - attempts[0] >= 0.04, attempts
            attempts.clear()
            started = time.monotonic()
            with pytest.raises(TransientError):
                await db.query(always)
            # 50, 100, 200, 400 ms apart (±20%): the fifth attempt is past the 0.5 s budget.
            assert 4 <= len(attempts) <= 6, attempts
            assert 0.5 <= time.monotonic() - started < 2, time.monotonic() - started
        finally:
            await db.close()

    asyncio.run(main())


def test_an_auto_commit_read_runs_one_statement(neo4j_target):
    """Two statements would be two transactions, not one snapshot: `Database.query` refuses
    the second, and that is not retried."""
    attempts = []

    async def two(unit) -> None:
        attempts.append(unit)
        await (await unit.run("RETURN 1", None)).consume()
        await unit.run("RETURN 2", None)

    async def main() -> None:
        db = Database(_settings(neo4j_target))
        try:
            with pytest.raises(RuntimeError, match="one statement"):
                await db.query(two)
            assert len(attempts) == 1
        finally:
            await db.close()

    asyncio.run(main())


def _database_calls(functions: dict[str, ast.AST], name: str, seen: set[str]) -> list[str]:
    """`read`/`query`/`write` of every `….db.read(…)` / `….db.query(…)` / `….db.write(…)` the
    function makes, itself or through the other functions of its module it calls."""
    if name in seen or name not in functions:
        return []
    seen.add(name)
    calls = []
    for node in ast.walk(functions[name]):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (isinstance(func, ast.Attribute) and func.attr in ("read", "query", "write")
                and isinstance(func.value, ast.Attribute) and func.value.attr == "db"):
            calls.append(func.attr)
        elif isinstance(func, ast.Name):
            calls += _database_calls(functions, func.id, seen)
    return calls


def database_calls(source: str, handler: str) -> list[str]:
    """How the function `handler` of a module's source reaches the database."""
    tree = ast.parse(source)
    functions = {n.name: n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return _database_calls(functions, handler, set())


def writes(source: str, handler: str) -> bool:
    """Whether the function `handler` of a module's source reaches `db.write`."""
    return "write" in database_calls(source, handler)


def test_every_get_route_reads_through_the_read_path():
    """GET answers must be served in READ access mode (a cluster's secondaries): no GET
    handler reaches the database through `db.write`, itself or through a helper of its
    module, and each one that reads does so through `db.read` or `db.query`. With the test
    above, every GET read runs where a write is refused."""
    gets = [e for e in ENDPOINTS if e.method == "GET"]
    calls = {f"GET {e.path} ({e.handler.__module__}.{e.handler.__name__})":
             database_calls(inspect.getsource(sys.modules[e.handler.__module__]), e.handler.__name__) for e in gets}
    problems = [route for route, c in calls.items() if "write" in c]
    assert len(gets) >= 25, len(gets)  # the routes were found
    assert not problems, "GET routes that write through ctx.db.write:\n" + "\n".join(problems)
    # The single-statement reads run as auto-commit queries; the test above covers both paths.
    assert sum("query" in c for c in calls.values()) >= 20, calls


def test_the_route_check_can_fail():
    bad = ('async def stats(ctx):\n    return await helper(ctx)\n'
           'async def helper(ctx):\n    return await ctx.db.write(follows.stats, ctx.org)\n')
    assert writes(bad, "stats")
    assert not writes(bad.replace("ctx.db.write", "ctx.db.read"), "stats")


def test_a_read_right_after_a_write_sees_it(org):
    """Read-your-writes through one API process: the driver's bookmarks make the read wait
    for the write on whichever server serves it (trivially true on one server; the point
    of the bookmark manager on a cluster)."""
    me = org.member("usr_reader")
    for i in range(10):
        target = f"usr_t{i}"
        assert me.post("/client/community/follow", {"following": target}).status_code == 201
        data = me.get("/client/community/following", params={"limit": 100}).json()["data"]
        assert target in {item["id"] for item in data}
        assert me.get("/client/community/follow/stats").json()["following"] == i + 1
