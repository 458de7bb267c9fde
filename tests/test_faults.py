"""Database faults: Neo4j goes away under a steady stream of writes. The API answers 503
(never a hang or a 500) while it is gone, recovers by itself when it is back, and afterwards
every acknowledged write is in the graph and `graphsvc check` finds every invariant intact.

`make test` takes the database away from one graphsvc process of its own: that process
reaches the shared test Neo4j through a loopback TCP proxy (tests/tcpproxy.py), and cutting
the proxy resets every open Bolt connection and each new one, as a dead server does, while
the other tests go on using the instance; the checks are scoped to the test's org. `make
soak` (-m slow) adds the real crash: its OWN Neo4j (`.neo4j/fault`, wiped at start) killed
with `kill -9` and restarted, one cycle with 4 writers and three with 8, each followed by a
whole-database check.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import pytest
from neo4j import GraphDatabase

from graphsvc.auth import mint
from graphsvc.ops import localdb

from .conftest import ROOT, SECRET, Neo4jTarget, Server, assert_error
from .tcpproxy import CuttableProxy

DB_TIMEOUT = 2.0
# A request that takes this long is a hang: far above GRAPHSVC_DB_TIMEOUT and its retries.
HANG = 10 * DB_TIMEOUT + 10
PAGES = ["pg_a", "pg_b", "pg_c"]
OK_STATUSES = {
    "follow_person": {200, 201, 503},
    "page_toggle": {200, 201, 204, 404, 503},
    "request": {201, 503},
    "accept": {200, 503},
}


@pytest.fixture(scope="module")
def proxy(neo4j_target):
    parts = urllib.parse.urlsplit(neo4j_target.uri)
    if parts.scheme.endswith(("+s", "+ssc")):
        pytest.skip("the proxy forwards plain Bolt only; the certificate names the server, not 127.0.0.1")
    p = CuttableProxy((parts.hostname, parts.port or 7687))
    yield p
    p.close()


@pytest.fixture(scope="module")
def proxied_server(neo4j_target, proxy):
    # bolt:// even under GRAPHSVC_TEST_ROUTING: a routing table names the server's own
    # address, and the driver would go around the proxy.
    via = Neo4jTarget(f"bolt://127.0.0.1:{proxy.port}", neo4j_target.user, neo4j_target.password, "proxy")
    # No webhook dispatcher: a delivery of another test's org claimed here just before a cut
    # would wait out its lease.
    srv = Server(via, GRAPHSVC_DB_TIMEOUT=str(DB_TIMEOUT), GRAPHSVC_DISPATCHER="0")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def fault_db():
    for var, value in (("GRAPHSVC_FAULT_NEO4J_HEAP", "512m"), ("GRAPHSVC_FAULT_NEO4J_PAGECACHE", "128m")):
        os.environ.setdefault(var, value)
    inst = localdb.instance("fault")
    localdb.reset(inst)  # a previous run's data (and its deliberately broken org) must not leak in
    # localdb draws a token_urlsafe password, which can start with '-' and then reads as an
    # option to neo4j-admin; pick one that cannot.
    inst.home.mkdir(parents=True, exist_ok=True)
    (inst.home / "password").write_text("p" + uuid.uuid4().hex)
    localdb.start(inst)
    try:
        yield Neo4jTarget(inst.uri, "neo4j", inst.password, "local", inst)
    finally:
        localdb.reset(inst)


@pytest.fixture(scope="module")
def fault_server(fault_db):
    srv = Server(fault_db, GRAPHSVC_DB_TIMEOUT=str(DB_TIMEOUT))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def fault_driver(fault_db):
    with GraphDatabase.driver(fault_db.uri, auth=(fault_db.user, fault_db.password)) as d:
        yield d


@dataclass
class Op:
    kind: str
    worker: int
    target: str
    started: float
    ended: float = 0.0
    status: int = 0  # 0: no HTTP answer at all
    body: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class Traffic:
    """Writers, one member each: follows of fresh people, follow/unfollow of a few shared
    pages (counters under contention), connection requests and their accepts."""

    def __init__(self, url: str, org: str, workers: int):
        self.url, self.org, self.workers = url, org, workers
        self.ops: list[Op] = []
        self.lock = threading.Lock()
        self.halt = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(workers)]

    def headers(self, sub: str) -> dict:
        return {"orgid": self.org, "Authorization": f"Bearer {mint(SECRET, sub, self.org, ttl=3600)}"}

    def call(self, client: httpx.Client, op: Op, method: str, path: str, sub: str, json=None) -> Op:
        try:
            resp = client.request(method, path, json=json, headers=self.headers(sub))
            op.status = resp.status_code
            op.body = resp.json() if resp.content else {}
        except httpx.HTTPError as exc:
            op.body = {"exception": repr(exc)}
        op.ended = time.monotonic()
        with self.lock:
            self.ops.append(op)
        return op

    def _run(self, i: int) -> None:
        me, k = f"usr_w{i}", 0
        with httpx.Client(base_url=self.url, timeout=HANG) as client:
            while not self.halt.is_set():
                k += 1
                step = k % 3
                if step == 0:
                    target = f"usr_t{i}_{k}"
                    op = Op("follow_person", i, target, time.monotonic())
                    self.call(client, op, "POST", "/client/community/follow", me, {"following": target})
                elif step == 1:
                    page = PAGES[(k // 3) % len(PAGES)]
                    # Follow when the last answer said "not following", else unfollow: 2xx and 404
                    # tell the truth either way, so the worker's belief re-syncs after a 503.
                    if self.following(i, page):
                        op = Op("page_toggle", i, page, time.monotonic())
                        self.call(client, op, "DELETE", f"/client/community/follow/{page}?followingType=page", me)
                    else:
                        op = Op("page_toggle", i, page, time.monotonic())
                        self.call(client, op, "POST", "/client/community/follow", me,
                                  {"following": page, "followingType": "page"})
                else:
                    target = f"usr_c{i}_{k}"
                    op = self.call(client, Op("request", i, target, time.monotonic()), "POST",
                                   "/client/community/connections/request", me, {"targetId": target})
                    if op.status == 201:
                        self.call(client, Op("accept", i, op.body["id"], time.monotonic()), "PUT",
                                  f"/client/community/connections/{op.body['id']}/respond", target,
                                  {"action": "accept"})

    def following(self, worker: int, page: str) -> bool:
        """What the last conclusive answer about (worker, page) says (False before any)."""
        with self.lock:
            mine = [o for o in self.ops if o.worker == worker and o.target == page and o.status in (200, 201, 204, 404)]
        if not mine:
            return False
        last = mine[-1]
        return last.status in (200, 201)  # a follow answered; 204/404 mean not following now

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def stop(self) -> None:
        self.halt.set()
        for t in self.threads:
            t.join(HANG + 5)

    def snapshot(self) -> list[Op]:
        with self.lock:
            return list(self.ops)

    def wait(self, what: str, predicate, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self.snapshot()):
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            assert all(t.is_alive() for t in self.threads), "a writer died (see its traceback above)"
            time.sleep(0.2)


def graphsvc_check(target: Neo4jTarget, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NEO4J_URI": target.uri, "NEO4J_USER": target.user, "NEO4J_PASSWORD": target.password}
    return subprocess.run([sys.executable, "-m", "graphsvc", "check", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def _outage_cycle(traffic: Traffic, server: Server, take_away: Callable[[], None],
                  bring_back: Callable[[], None]) -> dict:
    """Take Neo4j away, keep writing until 503s are seen, bring it back, wait for recovery."""
    workers = traffic.workers
    before = len(traffic.snapshot())
    traffic.wait("healthy writes", lambda ops: sum(o.ok for o in ops[before:]) >= 4 * workers)
    take_away()
    gone = time.monotonic()
    traffic.wait("503s while Neo4j is away",
                 lambda ops: sum(o.status == 503 and o.started > gone for o in ops) >= 2 * workers)
    started = time.monotonic()
    ready = httpx.get(server.url + "/readyz", timeout=HANG)
    readyz = (ready.status_code, ready.json()["status"], time.monotonic() - started)
    started = time.monotonic()
    read = httpx.get(server.url + "/client/community/follow/stats", headers=traffic.headers("usr_w0"), timeout=HANG)
    down_read = (read.status_code, read.json()["error"]["code"], time.monotonic() - started)
    return_begun = time.monotonic()
    bring_back()
    up = time.monotonic()
    # Recovery without restarting graphsvc: every writer gets 2xx answers again.
    traffic.wait("recovery", lambda ops: all(
        sum(o.ok and o.started > up for o in ops if o.worker == w) >= 3 for w in range(workers)))
    assert server.proc.poll() is None, "graphsvc must not die or be restarted"
    ready_again = httpx.get(server.url + "/readyz", timeout=HANG).status_code
    down = [o for o in traffic.snapshot() if gone < o.started and o.ended < return_begun]
    return {"gone": gone, "return_begun": return_begun, "up": up, "down_ops": down, "readyz": readyz,
            "down_read": down_read, "ready_again": ready_again}


def run_fault_test(server: Server, target: Neo4jTarget, driver, take_away: Callable[[], None],
                   bring_back: Callable[[], None], cycles: int, workers: int, whole_check: bool) -> None:
    """Writers through `server`, `cycles` outages; then the answers, the graph in `target`
    (read through `driver`) and `graphsvc check` on the test's org (and on the whole
    database when `whole_check`: only an instance of the test's own)."""
    org = "org-fault-" + uuid.uuid4().hex[:10]
    staff = {"orgid": org, "Authorization": f"Bearer {mint(SECRET, 'staff_1', org, 'staff')}"}
    for page in PAGES:
        assert httpx.put(f"{server.url}/community/pages/{page}", json={"name": page},
                         headers=staff, timeout=HANG).status_code == 201

    traffic = Traffic(server.url, org, workers)
    traffic.start()
    cycles_seen = []
    try:
        for _ in range(cycles):
            cycles_seen.append(_outage_cycle(traffic, server, take_away, bring_back))
    finally:
        traffic.stop()
    ops = traffic.snapshot()

    # While Neo4j was away: 503 with the documented error, within the hang bound, never a 500.
    for cycle in cycles_seen:
        # /readyz answers at once, not after the driver's retries; a read answers 503 within the
        # configured GRAPHSVC_DB_TIMEOUT (DB_TIMEOUT for this server) and its retries, not after a hang.
        assert cycle["readyz"][:2] == (503, "unavailable") and cycle["readyz"][2] < 3, cycle["readyz"]
        assert cycle["down_read"][:2] == (503, "database_unavailable"), cycle["down_read"]
        assert cycle["down_read"][2] < 2 * DB_TIMEOUT + 2, cycle["down_read"]
        assert cycle["ready_again"] == 200
        assert cycle["down_ops"], "no request was made while Neo4j was away"
        for op in cycle["down_ops"]:
            assert op.status == 503, (op.kind, op.status, op.body)
            assert op.body["error"]["code"] in {"database_unavailable", "database_busy"}, op.body
    for op in ops:
        assert op.status != 0, f"no answer (hang or dropped connection): {op}"
        assert op.status in OK_STATUSES[op.kind], (op.kind, op.status, op.body)

    # Every acknowledged write is in the graph.
    acked, found = verify_acknowledged(driver, org, ops)
    assert found == acked, f"{acked - found} acknowledged writes are missing"

    # Requests that failed with 503 may or may not have committed (the answer was lost, not
    # the change); asking again must tell which, and never make a second live connection.
    retried = Counter()
    with httpx.Client(base_url=server.url, timeout=HANG) as client:
        for op in ops:
            if op.kind == "request" and op.status == 503:
                resp = client.post("/client/community/connections/request", json={"targetId": op.target},
                                   headers=traffic.headers(f"usr_w{op.worker}"))
                assert resp.status_code in (201, 409), resp.text
                if resp.status_code == 409:
                    assert resp.json()["error"]["code"] == "already_pending", resp.text
                retried[resp.status_code] += 1

    # Not half-applied, counters, one live connection per pair, outbox: the integrity checker.
    result = graphsvc_check(target, "--org", org)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: every invariant holds" in result.stdout
    if whole_check:
        whole = graphsvc_check(target)
        assert whole.returncode == 0, whole.stdout + whole.stderr

    statuses = Counter(o.status for o in ops)
    writes_failed = sum(o.status == 503 for o in ops)
    latencies = [o.ended - o.started for c in cycles_seen for o in c["down_ops"]]
    print(f"\n[faults] cycles={cycles} writers={workers} requests={len(ops)} statuses={dict(statuses)} "
          f"acknowledged_writes={acked} found_after_crash={found} failed_writes={writes_failed} "
          f"retried_requests={dict(retried)} (409 = had committed despite the 503) "
          f"down_ops={sum(len(c['down_ops']) for c in cycles_seen)} "
          f"max_503_seconds={max(latencies):.2f} bring_back_seconds="
          f"{[round(c['up'] - c['return_begun'], 1) for c in cycles_seen]}")


def verify_acknowledged(driver, org: str, ops: list[Op]) -> tuple[int, int]:
    """(acknowledged writes whose effect must be visible, how many are)."""
    acked = found = 0

    def count(query: str, **params) -> int:
        return driver.execute_query(query, org=org, **params).records[0][0]

    accepted = {o.target for o in ops if o.kind == "accept" and o.status == 200}
    for op in ops:
        if op.kind == "follow_person" and op.ok:
            acked += 1
            found += count("MATCH (:Person {org: $org, id: $me})-[r:FOLLOWS]->(:Person {org: $org, id: $t}) "
                           "RETURN count(r)", me=f"usr_w{op.worker}", t=op.target) == 1
        elif op.kind == "request" and op.status == 201:
            acked += 1
            # Accepted when its accept was acknowledged; an accept that failed may have committed.
            allowed = ["accepted"] if op.body["id"] in accepted else ["pending", "accepted"]
            found += count("MATCH (:Person {org: $org, id: $me})-[c:CONNECTED {id: $id}]->"
                           "(:Person {org: $org, id: $t}) WHERE c.status IN $allowed RETURN count(c)",
                           me=f"usr_w{op.worker}", t=op.target, id=op.body["id"], allowed=allowed) == 1
        elif op.kind == "accept" and op.ok:
            acked += 1
            found += count("MATCH ()-[c:CONNECTED {id: $id}]->() WHERE c.org = $org AND c.status = 'accepted' "
                           "RETURN count(c)", id=op.target) == 1
    # Page toggles: where the last answer about (worker, page) was conclusive, the edge agrees.
    last: dict[tuple, Op] = {}
    for op in ops:
        if op.kind == "page_toggle":
            last[(op.worker, op.target)] = op
    for (worker, page), op in last.items():
        if op.status == 503:
            continue
        acked += 1
        edges = count("MATCH (:Person {org: $org, id: $me})-[r:FOLLOWS]->(:Page {org: $org, id: $p}) "
                      "RETURN count(r)", me=f"usr_w{worker}", p=page)
        found += edges == (1 if op.status in (200, 201) else 0)
    return acked, found


def test_connections_cut_under_writes(proxy, proxied_server, neo4j_target, driver):
    resets_before = proxy.resets
    run_fault_test(proxied_server, neo4j_target, driver, proxy.cut, proxy.restore, cycles=1, workers=4,
                   whole_check=False)
    assert proxy.resets > resets_before, "the cut reset no connection: graphsvc did not go through the proxy"


@pytest.mark.slow
def test_kill_neo4j_under_writes(fault_db, fault_server, fault_driver):
    inst = fault_db.instance
    run_fault_test(fault_server, fault_db, fault_driver, lambda: localdb.kill(inst), lambda: localdb.start(inst),
                   cycles=1, workers=4, whole_check=True)


@pytest.mark.slow
def test_kill_neo4j_under_writes_long(fault_db, fault_server, fault_driver):
    inst = fault_db.instance
    run_fault_test(fault_server, fault_db, fault_driver, lambda: localdb.kill(inst), lambda: localdb.start(inst),
                   cycles=3, workers=8, whole_check=True)


def test_check_reports_broken_invariants(http, neo4j_target, driver):
    """The checker can fail: break each invariant by hand in a throw-away org (on the shared
    instance, so every check here is scoped to that org)."""
    org = "org-broken-" + uuid.uuid4().hex[:8]
    other = "org-other-" + uuid.uuid4().hex[:8]
    staff = {"orgid": org, "Authorization": f"Bearer {mint(SECRET, 'staff_1', org, 'staff')}"}
    alice = {"orgid": org, "Authorization": f"Bearer {mint(SECRET, 'usr_alice', org)}"}
    bob = {"orgid": org, "Authorization": f"Bearer {mint(SECRET, 'usr_bob', org)}"}
    assert http.put("/community/pages/pg_x", json={"name": "X"}, headers=staff).status_code == 201
    assert http.post("/client/community/follow", json={"following": "pg_x", "followingType": "page"},
                     headers=alice).status_code == 201
    conn = http.post("/client/community/connections/request", json={"targetId": "usr_bob"}, headers=alice).json()
    assert http.put(f"/client/community/connections/{conn['id']}/respond", json={"action": "accept"},
                    headers=bob).status_code == 200
    # Alice followed and unfollowed Bob: her latest event for him says the follow is gone.
    assert http.post("/client/community/follow", json={"following": "usr_bob"}, headers=alice).status_code == 201
    assert http.delete("/client/community/follow/usr_bob", headers=alice).status_code == 204
    clean = graphsvc_check(neo4j_target, "--org", org)
    assert clean.returncode == 0, clean.stdout

    run = lambda q: driver.execute_query(q, org=org, other=other)  # noqa: E731
    # An imported edge needs no event of its own, but one an event names must agree with it.
    run("MATCH (a:Person {org: $org, id: 'usr_alice'}), (b:Person {org: $org, id: 'usr_bob'}) "
        "CREATE (a)-[:FOLLOWS {since: datetime(), status: 'active', imported: true}]->(b)")
    run("MATCH (pg:Page {org: $org, id: 'pg_x'}) SET pg.followerCount = 7")
    # A second live connection the constraint cannot see (its liveKey is not the pair key);
    # its id and liveKey carry the org, as both are unique across the shared instance.
    run("MATCH (a:Person {org: $org, id: 'usr_bob'}), (b:Person {org: $org, id: 'usr_alice'}) "
        "CREATE (a)-[:CONNECTED {id: 'con_forged_' + $org, org: $org, status: 'pending', "
        "liveKey: 'forged:' + $org}]->(b)")
    run("MATCH (a:Person {org: $org, id: 'usr_alice'}) "
        "CREATE (a)-[:FOLLOWS {since: datetime()}]->(:Person {org: $other, id: 'usr_elsewhere', key: 'k'})")
    run("CREATE (:Person {org: $org, email: 'Mixed@Example.com', key: 'k2'})")
    run("MATCH (e:Event {org: $org}) WHERE e.type = 'follow.created' SET e.subject = 'pg_gone'")
    run("MATCH (:Person {org: $org, id: 'usr_alice'})-[f:FOLLOWS]->(:Page) SET f.audienceKey = 'stale'")
    broken = graphsvc_check(neo4j_target, "--org", org)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    for check in ("page_counters", "connections", "live_pairs", "cross_org", "people", "follow_events",
                  "connection_events", "audience_keys"):
        assert f"] {check}:" in broken.stdout, (check, broken.stdout)
    assert "counter=7, edges=1" in broken.stdout
    assert "active edge usr_alice -FOLLOWS-> person usr_bob has no follow.created as its latest event" in broken.stdout
    print("\n" + broken.stdout)


def test_pool_exhausted_is_503_busy(neo4j_target, driver):
    """Every Bolt connection of the process is taken (here: one, held by a write waiting on a
    lock another transaction keeps): a further request waits `GRAPHSVC_DB_TIMEOUT` for a
    connection and then answers 503 `database_busy`, not a 500, and writes nothing; the
    held write completes once the lock is released."""
    server = Server(neo4j_target, GRAPHSVC_POOL_SIZE="1", GRAPHSVC_DB_TIMEOUT="1", GRAPHSVC_DISPATCHER="0")
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            org = "org-pool-" + uuid.uuid4().hex[:8]
            as_ = lambda sub: {"orgid": org, "Authorization": f"Bearer {mint(SECRET, sub, org)}"}  # noqa: E731
            follow = lambda sub, whom: http.post("/client/community/follow", json={"following": whom},  # noqa: E731
                                                 headers=as_(sub))
            assert follow("usr_a", "usr_b").status_code == 201
            held: dict[str, httpx.Response] = {}
            with driver.session() as session, session.begin_transaction() as tx:
                tx.run("MATCH (p:Person {org: $org, id: 'usr_a'}) SET p.heldByTest = true", org=org).consume()
                waiter = threading.Thread(target=lambda: held.update(r=follow("usr_a", "usr_c")))
                waiter.start()
                # The waiter's write now holds the pool's only connection, blocked on the lock.
                deadline = time.monotonic() + 20
                while "graphsvc_neo4j_pool_connections{state=\"in_use\"} 1.0" not in http.get("/metrics").text:
                    assert time.monotonic() < deadline, "the waiting write never took the pool's connection"
                    time.sleep(0.05)
                busy = follow("usr_b", "usr_c")
                tx.rollback()
            waiter.join(30)
            assert_error(busy, 503, "database_busy")
            assert held["r"].status_code == 201, held["r"].text
            following = http.get("/client/community/following", headers=as_("usr_b")).json()
            assert following["pagination"]["total"] == 0, following
    finally:
        server.stop()
