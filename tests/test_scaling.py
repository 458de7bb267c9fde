"""The scale-out path (issue 17, item 4): the same service against a cluster.

Neo4j Community cannot cluster, so what can be proven here is what a cluster relies on:
the local server answers the `neo4j://` routing scheme with a routing table that names
itself (the whole suite runs that way with `make test-routing`); every read the service
makes runs in a READ transaction, which a cluster may serve from any secondary and which
the server itself refuses to let write; and a read right after a write sees it (the
driver's bookmarks). docs/scaling.md says what changes against Enterprise or Aura.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import sys
import uuid

import pytest
from neo4j.exceptions import ClientError

from graphsvc.api.app import ENDPOINTS
from graphsvc.config import Settings
from graphsvc.db import Database


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


def _settings(target) -> Settings:
    return Settings(neo4j_uri=target.uri, neo4j_user=target.user, neo4j_password=target.password,
                    neo4j_database="neo4j", jwt_secret=None, jwt_public_key=None, db_timeout=10.0)


def test_a_write_through_the_read_path_is_refused_by_the_server(neo4j_target, driver):
    """`Database.read`, the one way the service reads, opens READ transactions: the server
    itself refuses a statement that writes in one. The same work through `Database.write`
    is accepted, so the refusal is the access mode and nothing else."""
    org = "org-" + uuid.uuid4().hex[:12]

    async def create(tx) -> None:
        await (await tx.run("CREATE (:Person {org: $org, id: 'probe'})", org=org)).consume()

    def people() -> int:
        return driver.execute_query("MATCH (p:Person {org: $org}) RETURN count(p) AS n", org=org).records[0]["n"]

    async def main() -> None:
        db = Database(_settings(neo4j_target))
        try:
            with pytest.raises(ClientError) as refused:
                await db.read(create)
            assert refused.value.code == "Neo.ClientError.Statement.AccessMode", refused.value
            assert people() == 0
            await db.write(create)
            assert people() == 1
        finally:
            await db.close()

    asyncio.run(main())


def _database_calls(functions: dict[str, ast.AST], name: str, seen: set[str]) -> list[str]:
    """`read`/`write` of every `….db.read(…)` / `….db.write(…)` the function makes, itself or
    through the other functions of its module it calls."""
    if name in seen or name not in functions:
        return []
    seen.add(name)
    calls = []
    for node in ast.walk(functions[name]):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (isinstance(func, ast.Attribute) and func.attr in ("read", "write")
                and isinstance(func.value, ast.Attribute) and func.value.attr == "db"):
            calls.append(func.attr)
        elif isinstance(func, ast.Name):
            calls += _database_calls(functions, func.id, seen)
    return calls


def writes(source: str, handler: str) -> bool:
    """Whether the function `handler` of a module's source reaches `db.write`."""
    tree = ast.parse(source)
    functions = {n.name: n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return "write" in _database_calls(functions, handler, set())


def test_every_get_route_reads_through_the_read_path():
    """GET answers must be served by READ transactions (a cluster's secondaries): no GET
    handler reaches the database through `db.write`, itself or through a helper of its
    module. With the test above, every GET read runs where a write is refused."""
    gets = [e for e in ENDPOINTS if e.method == "GET"]
    problems = [f"GET {e.path} ({e.handler.__module__}.{e.handler.__name__})" for e in gets
                if writes(inspect.getsource(sys.modules[e.handler.__module__]), e.handler.__name__)]
    assert len(gets) >= 25, len(gets)  # the routes were found
    assert not problems, "GET routes that write through ctx.db.write:\n" + "\n".join(problems)


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
