"""`make bench`: latency and throughput of graphsvc through its HTTP API, against the
same Cypher through the raw Python driver and the floor of one Bolt round trip.

Not a test (no thresholds, never in the test suite): it starts its own API server
process against the `bench` Neo4j instance loaded by `make bench-data`, measures
each operation at concurrency 1 (median, p99) and throughput at 1, 8 and 32, and
writes bench-results/<stamp>.json (+ latest.json) and a PNG of the latency
distributions. With --peers (`make bench-peers`) PostgreSQL runs beside them: the
same org loaded from the same files (bench/peer_pg.py), every op's answers checked on
both stores first, then timed in the same interleaved loop, with a `peers` summary. The HTTP client is a minimal keep-alive HTTP/1.1 client on asyncio
streams, so the client's own cost is close to the raw driver's and the API/raw
ratio is the service's overhead, not httpx's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import neo4j

from graphsvc.api import cursor
from graphsvc.auth import mint
from graphsvc.db import S, Statement, as_dict, driver_io
from graphsvc.domain import connections as conn_domain
from graphsvc.domain import follows as follow_domain
from graphsvc.domain import graph as graph_domain
from graphsvc.domain import visibility as vis_domain
from graphsvc.ops import localdb
from graphsvc.people import PersonRef

Call = Callable[[], Awaitable[Any]]


# ---- a tiny HTTP/1.1 keep-alive client -----------------------------------------------------------------------

class HttpConn:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, target: str, token: str, org: str, body: bytes | None = None) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = (f"{method} {target} HTTP/1.1\r\nhost: {self.host}\r\nauthorization: Bearer {token}\r\n"
                f"orgid: {org}\r\n")
        if body is not None:
            head += f"content-type: application/json\r\ncontent-length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + (body or b""))
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = 0
        for line in lines[1:]:
            if line[:15].lower() == "content-length:":
                length = int(line[15:])
        data = await self.reader.readexactly(length) if length else b""
        return status, data


class HttpPool:
    """One connection per concurrent worker, as a load balancer's keep-alive pool would hold."""

    def __init__(self, port: int, org: str):
        self.port, self.org = port, org
        self.free: list[HttpConn] = []

    async def call(self, method: str, target: str, token: str, body: Any = None, expect: tuple = (200, 201),
                   status_too: bool = False) -> Any:
        payload = json.dumps(body).encode() if body is not None else None
        conn = self.free.pop() if self.free else HttpConn("127.0.0.1", self.port)
        try:
            status, data = await conn.request(method, target, token, self.org, payload)
        except (asyncio.IncompleteReadError, ConnectionError):
            # The server closed an idle keep-alive connection (uvicorn: after 5 s): reconnect once.
            conn = HttpConn("127.0.0.1", self.port)
            status, data = await conn.request(method, target, token, self.org, payload)
        self.free.append(conn)
        if status not in expect:
            raise RuntimeError(f"{method} {target}: {status} {data[:300]!r}")
        answer = json.loads(data) if data else None
        return (status, answer) if status_too else answer


# ---- operations ------------------------------------------------------------------------------------------------

@dataclass
class Op:
    name: str
    api: Callable[[int], Call] | None  # sample index -> a coroutine factory
    raw: Callable[[int], Call] | None
    note: str = ""
    pg: Callable[[int], Call] | None = None  # the PostgreSQL peer (--peers)
    subject: Callable[[int], Any] | None = None  # sample i's subject, where every side must share it

    def modes(self) -> list[tuple[str, Callable[[int], Call]]]:
        return [(m, f) for m, f in (("api", self.api), ("raw", self.raw), ("pg", self.pg)) if f is not None]


@dataclass
class Result:
    name: str
    mode: str  # api | raw | floor | apifloor, and with --peers pg | pgfloor
    latencies_ms: list[float] = field(default_factory=list)
    throughput: dict[int, float] = field(default_factory=dict)
    errors: int = 0

    def summary(self) -> dict:
        lat = sorted(self.latencies_ms)
        return {
            "op": self.name, "mode": self.mode, "samples": len(lat), "errors": self.errors,
            "medianMs": round(statistics.median(lat), 3) if lat else None,
            "p99Ms": round(lat[min(len(lat) - 1, int(0.99 * len(lat)))], 3) if lat else None,
            "throughput": {str(c): round(v, 1) for c, v in self.throughput.items()},
        }


class Bench:
    def __init__(self, args: argparse.Namespace, driver: neo4j.AsyncDriver, http: HttpPool, secret: str,
                 subjects: dict):
        self.args, self.driver, self.http, self.secret, self.s = args, driver, http, secret, subjects
        self.org = args.org
        self.rng = random.Random(args.seed)
        self.tokens: dict[str, str] = {}
        self.service = mint(secret, "svc_bench", self.org, "service", None, 24 * 3600)
        self.peer: Any = None  # bench/peer_pg.Peer with --peers
        # What the write ops made, per store, undone at the end (undo_writes): every run
        # starts from the generated files' graph, which the peers' answer check relies on.
        self.made: dict[str, dict[str, list[tuple[str, str]]]] = {
            store: {"follows": [], "connections": [], "accepted_theirs": []} for store in ("neo4j", "pg")}

    def token(self, sub: str) -> str:
        tok = self.tokens.get(sub)
        if tok is None:
            tok = self.tokens[sub] = mint(self.secret, sub, self.org, "customer", None, 24 * 3600)
        return tok

    def person(self) -> str:
        return f"usr_{self.rng.randrange(self.s['people']):07d}"

    def post(self) -> str:
        return f"post_{self.rng.randrange(self.s['posts']):08d}"

    async def read(self, statement: Statement, **params: Any) -> list[dict]:
        async def work(tx: neo4j.AsyncManagedTransaction) -> list[dict]:
            result = await statement.run(tx, **params)
            return [as_dict(r) async for r in result]

        async with self.driver.session(database="neo4j") as session:
            return await session.execute_read(work)

    async def query(self, statement: Statement, **params: Any) -> list[dict]:
        """One statement as an auto-commit query in a READ session: how the API runs a read of
        one statement (Database.query), so API vs raw compares the same Cypher sent the same way."""
        async with self.driver.session(database="neo4j", default_access_mode=neo4j.READ_ACCESS) as session:
            result = await statement.run(session, **params)
            return [as_dict(r) async for r in result]

    async def write(self, fn: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        async with self.driver.session(database="neo4j") as session:
            return await session.execute_write(fn, *args)

    async def floor(self) -> None:
        async with self.driver.session(database="neo4j") as session:
            result = await session.run("RETURN 1 AS one")
            await result.consume()

    async def api_floor(self) -> None:
        """The API's floor: a route that reads no token and no database. No API operation
        can answer faster or more often than this on the same machine."""
        await self.http.call("GET", "/healthz", self.service)

    async def prepare(self) -> None:
        """Set-up that needs the database (not measured): for each most-followed person, the
        cursor of their deep followers page, as a walk would have reached it."""
        self.deep: dict[str, tuple[list, str]] = {}
        for who, total in self.s["followed"]:
            page = max(1, min(500, total // 20))
            rows = await self.read(S.follows.followers, org=self.org, meId=who, meEmail=None,
                                   skip=max(0, (page - 1) * 20 - 1), limit=1, after=None)
            key = rows[0]["data"][0]["_key"] if page > 1 and rows[0]["data"] else None
            scope = ["/client/community/followers", self.org, who, [], []]  # api/pagination.scope
            self.deep[who] = (key, cursor.encode(scope, key) if key else "")

    async def audience_walk(self, post_id: str = "bench_audience_post", limit: int = 1000) -> dict:
        """Fan-out of a public post in the most-followed page: its whole audience, `limit` at a
        time, through the API and then the raw driver; each page's latency and the walk's total."""
        page_id, followers = self.s["topPage"]
        await self.http.call("PUT", f"/community/posts/{post_id}", self.service,
                             {"authorId": self.person(), "visibility": "public", "pageId": page_id})
        out: dict[str, Any] = {"page": page_id, "pageFollowers": followers, "limit": limit}
        for mode in ("api", "raw"):
            times, people, next_cursor, after = [], 0, None, ""
            while True:
                t0 = time.perf_counter()
                if mode == "api":
                    query = f"limit={limit}" + (f"&cursor={next_cursor}" if next_cursor else "")
                    body = await self.http.call("GET", f"/community/posts/{post_id}/audience?{query}", self.service)
                    data, next_cursor = body["data"], body["nextCursor"]
                    done = next_cursor is None
                else:
                    rows = await self.read(S.posts.audience, org=self.org, postId=post_id, after=after, limit=limit)
                    data = rows[0]["data"]
                    done, after = len(data) < limit, data[-1]["key"] if data else after
                times.append(1000 * (time.perf_counter() - t0))
                people += len(data)
                if done:
                    break
            out[mode] = {"pages": len(times), "people": people, "firstPageMs": round(times[0], 2),
                         "maxPageOverFirst": round(max(times) / times[0], 2),
                         "lastPageOverFirst": round(times[-1] / times[0], 2),
                         "walkSeconds": round(sum(times) / 1000, 3), "pageMs": [round(t, 2) for t in times]}
        return out

    def ops(self) -> list[Op]:
        org, s = self.org, self.s
        ops: list[Op] = []

        def vis(n: int) -> Op:
            def api(i: int) -> Call:
                viewer, posts = self.person(), [self.post() for _ in range(n)]
                if n == 1:
                    target = "/community/visibility?" + urlencode({"viewerId": viewer, "postId": posts[0]})
                    return lambda: self.http.call("GET", target, self.service)
                return lambda: self.http.call("POST", "/community/visibility", self.service,
                                              {"viewerId": viewer, "postIds": posts})

            def raw(i: int) -> Call:
                viewer, posts = self.person(), [self.post() for _ in range(n)]

                async def go() -> list[dict]:
                    # Decoded into one answer per post, as the PostgreSQL peer's arrays are zipped.
                    (record,) = await self.query(S.visibility.check_stored, org=org, checks=[
                        {"viewerId": viewer, "viewerEmail": None, "postIds": posts}])
                    return vis_domain.decode_verdicts(posts, record["verdicts"])
                return go
            return Op("visibility_1" if n == 1 else f"visibility_batch_{n}", api, raw)

        ops += [vis(1), vis(100), vis(1000)]

        def mutual(pick: Callable[[], tuple[str, str]], name: str) -> Op:
            def api(i: int) -> Call:
                a, b = pick()
                return lambda: self.http.call("GET", f"/client/community/connections/mutual/{b}", self.token(a))

            def raw(i: int) -> Call:
                a, b = pick()
                return lambda: self.query(S.connections.mutual, org=org, asks=[
                    {"meId": a, "meEmail": None, "otherId": b, "otherEmail": None, "skip": 0, "limit": 21, "after": None}])
            return Op(name, api, raw)

        def random_pair() -> tuple[str, str]:
            a, b = self.person(), self.person()
            while b == a:
                b = self.person()
            return a, b

        def hub_pair() -> tuple[str, str]:
            return tuple(self.rng.sample(s["hubs"], 2))  # type: ignore[return-value]

        ops += [mutual(random_pair, "mutual_random"), mutual(hub_pair, "mutual_hubs")]
        if s.get("twinHubs"):
            # The generator's twin hubs: a fixed pair with a fixed number of mutuals (half
            # their hub links), the operation compared across graph sizes (bench/scale.py).
            ops.append(mutual(lambda: tuple(self.rng.sample(s["twinHubs"], 2)), "mutual_twin_hubs"))

        def degree_api(i: int) -> Call:
            a, b = random_pair()
            return lambda: self.http.call("GET", f"/client/community/degree/{b}", self.token(a))

        def degree_raw(i: int) -> Call:
            a, b = random_pair()
            return lambda: self.query(S.graph.degree, org=org, meId=a, meEmail=None, otherId=b, otherEmail=None,
                                      maxDepth=3)
        ops.append(Op("degree", degree_api, degree_raw))

        def far_op(name: str, pairs: list, note: str) -> Op:
            # Sample i is pairs[i % len]: the API, raw and PostgreSQL sides time the same pair for
            # the same i, and one seed times the same mix in every run. A search's cost differs
            # from pair to pair far more than a point read's, so drawing each side's own pairs
            # from a short list moved the medians from run to run. Without pairs (no --peers)
            # each side draws its own random pair, as the other ops do.
            def pick(i: int) -> tuple[str, str]:
                return tuple(pairs[i % len(pairs)]) if pairs else random_pair()  # type: ignore[return-value]

            def api(i: int) -> Call:
                a, b = pick(i)
                return lambda: self.http.call("GET", f"/client/community/degree/{b}?maxDepth=6", self.token(a))

            def raw(i: int) -> Call:
                a, b = pick(i)
                return lambda: self.query(S.graph.degree, org=org, meId=a, meEmail=None, otherId=b, otherEmail=None,
                                          maxDepth=6)
            return Op(name, api, raw, note=note, subject=pick)

        # --peers: pairs at true distance 4, 5 and 6, found from PostgreSQL (start_peer); pairs
        # farther apart than 6 are no degree_6 subject, as no search within 6 hops reaches them.
        far = s.get("farPairs") or {}
        ops.append(far_op("degree_6", [p for d in sorted(far, key=str) for p in far[d]],
                          "pairs at distance 4-6 with --peers, else random pairs"))
        ops += [far_op(f"degree_6_at_{d}", far[d], f"pairs at distance {d}") for d in (4, 5, 6) if far.get(d)]

        def sugg_api(i: int) -> Call:
            a = self.person()
            return lambda: self.http.call("GET", "/client/community/suggestions", self.token(a))

        def sugg_raw(i: int) -> Call:
            a = self.person()
            return lambda: self.query(S.graph.suggestions, org=org, meId=a, meEmail=None, skip=0, limit=21,
                                      after=None, maxFriends=graph_domain.MAX_FRIENDS, fanout=graph_domain.FANOUT)
        ops.append(Op("suggestions", sugg_api, sugg_raw))

        def followers(deep: bool) -> Op:
            def api(i: int) -> Call:
                who, _ = self.rng.choice(s["followed"])
                after = f"&cursor={self.deep[who][1]}" if deep and self.deep[who][0] else ""
                return lambda: self.http.call("GET", f"/client/community/followers?limit=20{after}", self.token(who))

            def raw(i: int) -> Call:
                who, _ = self.rng.choice(s["followed"])
                after = self.deep[who][0] if deep else None
                return lambda: self.query(S.follows.followers, org=org, meId=who, meEmail=None,
                                          skip=0, limit=21, after=after)
            return Op("followers_deep" if deep else "followers_page1", api, raw,
                      note="the most-followed people; deep = by cursor at page min(500, last)")

        ops += [followers(False), followers(True)]

        def status_api(i: int) -> Call:
            a, b = random_pair()
            return lambda: self.http.call("GET", f"/client/community/connections/status/{b}", self.token(a))

        def status_raw(i: int) -> Call:
            a, b = random_pair()
            return lambda: self.query(S.connections.status_with, org=org,
                                      pairs=[{"meId": a, "meEmail": None, "otherId": b, "otherEmail": None}])
        ops.append(Op("connection_status", status_api, status_raw))

        def rel_api(i: int) -> Call:
            a, targets = self.person(), [self.person() for _ in range(100)]
            return lambda: self.http.call("GET", "/client/community/relationships?ids=" + ",".join(targets),
                                          self.token(a))

        def rel_raw(i: int) -> Call:
            a, targets = self.person(), [self.person() for _ in range(100)]
            return lambda: self.query(S.relationships.get, org=org, meId=a, meEmail=None,
                                      targets=[{"id": t, "email": None} for t in targets])
        ops.append(Op("relationships_100", rel_api, rel_raw, note="100 random people in one call"))

        def follow_api(i: int) -> Call:
            a, b = random_pair()

            async def go() -> Any:
                status, _ = await self.http.call("POST", "/client/community/follow", self.token(a),
                                                 {"following": b, "followingType": "person"},
                                                 expect=(200, 201, 202, 403), status_too=True)
                if status in (201, 202):
                    self.made["neo4j"]["follows"].append((a, b))
            return go

        def follow_raw(i: int) -> Call:
            a, b = random_pair()

            async def go() -> Any:
                try:
                    out = await self.write(follow_domain.follow_person, org, PersonRef(id=a), PersonRef(id=b), 5000)
                except Exception as exc:  # a blocked pair: the API answers 403 for it too
                    if "blocked" not in str(exc):
                        raise
                    return None
                if out["created"]:
                    self.made["neo4j"]["follows"].append((a, b))
                return out
            return go
        ops.append(Op("follow", follow_api, follow_raw, note="random pairs, domain code in one write tx"))

        def request_api(i: int) -> Call:
            a, b = random_pair()

            async def go() -> Any:
                out = await self.http.call("POST", "/client/community/connections/request", self.token(a),
                                           {"targetId": b}, expect=(200, 201, 403, 409))
                if out and out.get("status") == "pending":
                    self.made["neo4j"]["connections"].append((a, b))
                    await self.http.call("PUT", f"/client/community/connections/{out['id']}/respond",
                                         self.token(b), {"action": "accept"})
                elif out and out.get("status") == "accepted":  # b's pending request, accepted by asking
                    self.made["neo4j"]["accepted_theirs"].append((a, b))
            return go

        def request_raw(i: int) -> Call:
            a, b = random_pair()

            async def go() -> Any:
                try:
                    kind, rec = await self.write(conn_domain.request, org, PersonRef(id=a), PersonRef(id=b),
                                                 None, None, 1000)
                except Exception as exc:  # already connected / blocked: the API answers 409/403
                    if exc.__class__.__name__ in ("Conflict", "Forbidden"):
                        return None
                    raise
                if rec["status"] == "pending":
                    self.made["neo4j"]["connections"].append((a, b))
                    await self.write(conn_domain.respond, org, PersonRef(id=b), rec["id"], "accept")
                else:
                    self.made["neo4j"]["accepted_theirs"].append((a, b))
            return go
        ops.append(Op("request_accept", request_api, request_raw, note="two HTTP calls / two write txs"))
        if self.peer is not None:
            self.attach_peer(ops, random_pair, hub_pair)
        return ops

    def attach_peer(self, ops: list[Op], random_pair: Callable[[], tuple[str, str]],
                    hub_pair: Callable[[], tuple[str, str]]) -> None:
        """The PostgreSQL side of each op (bench/peer_pg.py, bench/sql/), drawing its inputs
        from the same distributions as the API and raw sides, with the same page semantics
        (limit 21: one more than the page, to know whether more follow)."""
        pg, s = self.peer, self.s

        def vis(n: int) -> Callable[[int], Call]:
            def make(i: int) -> Call:
                viewer, posts = self.person(), [self.post() for _ in range(n)]
                return lambda: pg.visibility(viewer, posts)
            return make

        def mutual(pick: Callable[[], tuple[str, str]]) -> Callable[[int], Call]:
            def make(i: int) -> Call:
                a, b = pick()
                return lambda: pg.mutual(a, b, 0, 21)
            return make

        def degree(recursive: bool) -> Callable[[int], Call]:
            def make(i: int) -> Call:
                a, b = random_pair()
                return lambda: pg.degree(a, b, 3, recursive)
            return make

        def degree6(pick: Callable[[int], tuple[str, str]]) -> Callable[[int], Call]:
            def make(i: int) -> Call:
                a, b = pick(i)  # the API's and raw's pair for this i
                return lambda: pg.degree_bfs(a, b, 6)
            return make

        def suggestions(i: int) -> Call:
            a = self.person()
            return lambda: pg.suggestions(a, 0, 21, graph_domain.MAX_FRIENDS, graph_domain.FANOUT)

        def followers(deep: bool) -> Callable[[int], Call]:
            def make(i: int) -> Call:
                who, _ = self.rng.choice(s["followed"])
                return lambda: pg.followers(who, 0, 21, self.deep[who][0] if deep else None)
            return make

        def follow(i: int) -> Call:
            a, b = random_pair()

            async def go() -> None:
                if await pg.follow(a, b, 5000) in ("created", "requested"):
                    self.made["pg"]["follows"].append((a, b))
            return go

        def request_accept(i: int) -> Call:
            a, b = random_pair()

            async def go() -> None:
                outcome = await pg.request_accept(a, b, 1000)
                if outcome.startswith("created"):
                    self.made["pg"]["connections"].append((a, b))
                elif outcome == "accept":
                    self.made["pg"]["accepted_theirs"].append((a, b))
            return go

        makers = {"visibility_1": vis(1), "visibility_batch_100": vis(100), "visibility_batch_1000": vis(1000),
                  "mutual_random": mutual(random_pair), "mutual_hubs": mutual(hub_pair),
                  "mutual_twin_hubs": mutual(lambda: tuple(self.rng.sample(s["twinHubs"], 2))),
                  "degree": degree(False), "suggestions": suggestions, "followers_page1": followers(False),
                  "followers_deep": followers(True), "follow": follow, "request_accept": request_accept}
        for op in ops:
            op.pg = degree6(op.subject) if op.subject else makers.get(op.name)
        at = next(i for i, op in enumerate(ops) if op.name == "degree") + 1
        ops.insert(at, Op("degree_recursive", None, None, pg=degree(True),
                          note="PostgreSQL's WITH RECURSIVE form (degree_recursive.sql); graphsvc's is `degree`"))

    async def undo_writes(self) -> dict:
        """Take back what the write ops made, in both stores: follows unfollowed, new
        connections removed, and a pending request that a bench request accepted is
        pending again (removed, then asked again by its requester)."""
        from graphsvc.errors import ApiError

        async def neo(fn: Callable[..., Awaitable[Any]], *args: Any) -> None:
            try:
                await self.write(fn, self.org, *args)
            except ApiError:
                pass  # already gone
        done = {}
        for store, made in self.made.items():
            for a, b in made["follows"]:
                if store == "neo4j":
                    await neo(follow_domain.unfollow, PersonRef(id=a), PersonRef(id=b), "person")
                else:
                    await self.peer.unfollow(a, b)
            for a, b in made["connections"] + made["accepted_theirs"]:
                if store == "neo4j":
                    await neo(conn_domain.remove_with, PersonRef(id=a), PersonRef(id=b))
                else:
                    await self.peer.disconnect(a, b)
            for a, b in made["accepted_theirs"]:
                if store == "neo4j":
                    await neo(conn_domain.request, PersonRef(id=b), PersonRef(id=a), None, None, 10**6)
                else:
                    await self.peer.request_only(b, a)
            done[store] = {k: len(v) for k, v in made.items()}
        return done

    async def latency(self, results: list[Result], makers: list[Callable[[int], Call]]) -> None:
        """Latency at concurrency 1, the modes interleaved call by call (API, raw, API, raw, ...)
        so that both see the same background load on a shared machine; up to `samples`
        calls each or `latency_seconds`, whichever comes first."""
        args = self.args
        for i in range(args.warmup):
            for make in makers:
                await make(i)()
        deadline = time.perf_counter() + args.latency_seconds
        for i in range(args.samples):
            for res, make in zip(results, makers):
                call = make(i)
                t0 = time.perf_counter()
                try:
                    await call()
                    res.latencies_ms.append(1000 * (time.perf_counter() - t0))
                except Exception as exc:
                    res.errors += 1
                    if res.errors <= 3:
                        print(f"  {res.name}/{res.mode}: {exc}", file=sys.stderr)
            if time.perf_counter() > deadline:
                break

    async def measure(self, name: str, mode: str, make: Callable[[int], Call], res: Result | None = None) -> Result:
        """Throughput at each concurrency (and latency first, unless `res` already has it)."""
        args = self.args
        if res is None:
            res = Result(name, mode)
            await self.latency([res], [make])
        for conc in args.concurrency:
            done = 0
            stop = time.perf_counter() + args.throughput_seconds

            async def worker(w: int) -> None:
                nonlocal done
                i = 0
                while time.perf_counter() < stop:
                    call = make(w * 1_000_000 + i)
                    i += 1
                    try:
                        await call()
                        done += 1
                    except Exception:
                        res.errors += 1
            t0 = time.perf_counter()
            await asyncio.gather(*(worker(w) for w in range(conc)))
            res.throughput[conc] = done / (time.perf_counter() - t0)
        return res


# ---- setup: database, server, subjects ---------------------------------------------------------------------------

async def find_subjects(driver: neo4j.AsyncDriver, org: str, data: Path | None) -> dict:
    manifest = json.loads((data / "manifest.json").read_text()) if data and (data / "manifest.json").exists() else {}
    # Setup only (not measured): an analytic pass over the org to find the most-followed people.
    records, _, _ = await driver.execute_query(
        "MATCH (p:Person {org: $org}) WITH p, COUNT { (p)<-[:FOLLOWS]-() } AS n "
        "ORDER BY n DESC LIMIT 10 RETURN p.id AS id, n", org=org, database_="neo4j")
    followed = [(r["id"], r["n"]) for r in records]
    people, _, _ = await driver.execute_query("MATCH (p:Person {org: $org}) RETURN count(p) AS n", org=org,
                                              database_="neo4j")
    posts, _, _ = await driver.execute_query("MATCH (p:Post {org: $org}) RETURN count(p) AS n", org=org,
                                             database_="neo4j")
    hubs = manifest.get("hubs")
    if not hubs:
        records, _, _ = await driver.execute_query(
            "MATCH (p:Person {org: $org}) WITH p, COUNT { (p)-[:CONNECTED]-() } AS n ORDER BY n DESC LIMIT 3 "
            "RETURN p.id AS id", org=org, database_="neo4j")
        hubs = [r["id"] for r in records]
    degrees, _, _ = await driver.execute_query(
        "UNWIND $ids AS id MATCH (p:Person {org: $org, id: id}) RETURN id, COUNT { (p)-[:CONNECTED]-() } AS n",
        ids=hubs, org=org, database_="neo4j")
    pages, _, _ = await driver.execute_query(
        "MATCH (pg:Page {org: $org}) RETURN pg.id AS id, pg.followerCount AS n ORDER BY n DESC LIMIT 1",
        org=org, database_="neo4j")
    return {"people": people[0]["n"], "posts": posts[0]["n"], "hubs": hubs, "followed": followed,
            "topPage": (pages[0]["id"], pages[0]["n"]) if pages else None,
            "twinHubs": manifest.get("twinHubs"),
            "hubDegrees": {r["id"]: r["n"] for r in degrees}}


def start_server(inst: localdb.Instance, port: int, secret: str, extra: list[str], env_extra: dict,
                 log: Path) -> subprocess.Popen:
    env = {**os.environ, "NEO4J_URI": inst.uri, "NEO4J_PASSWORD": inst.password, "GRAPHSVC_JWT_SECRET": secret,
           **env_extra}
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "graphsvc.api.app:app", "--host", "127.0.0.1",
           "--port", str(port), "--log-level", "warning", "--no-access-log", *extra]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    import urllib.request

    for _ in range(240):
        if proc.poll() is not None:
            raise SystemExit(f"API server exited; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as resp:
                if resp.status == 200:
                    return proc
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"API server not ready; see {log}")


def process_tree(pid: int) -> list[int]:
    """A process and its running children (uvicorn workers)."""
    try:
        return [pid] + [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return [pid]


def peak_rss_mb(pid: int) -> float:
    """VmHWM of the server and its children (uvicorn workers), in MB."""
    total = 0
    for p in process_tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return round(total / 1024, 1)


# Each mode's label and colour in the plot, in the order drawn.
MODES = {"api": ("graphsvc HTTP API", "tab:blue"), "raw": ("Neo4j raw driver", "tab:orange"),
         "pg": ("PostgreSQL raw driver", "tab:purple"), "floor": ("RETURN 1", "tab:green"),
         "pgfloor": ("SELECT 1", "tab:olive"), "apifloor": ("GET /healthz", "tab:gray")}


def plot(results: list[Result], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = sorted({r.name for r in results if r.latencies_ms}, key=lambda n: [r.name for r in results].index(n))
    per_op = max(len({r.mode for r in results if r.name == n and r.latencies_ms}) for n in names)
    fig, ax = plt.subplots(figsize=(max(8, 0.45 * per_op * len(names)), 5.5))
    positions, labels = [], []
    for i, name in enumerate(names):
        present = [r for mode in MODES for r in results if r.name == name and r.mode == mode and r.latencies_ms]
        for j, r in enumerate(present):
            pos = 5 * i + j * 0.9
            parts = ax.violinplot([r.latencies_ms], positions=[pos], widths=0.8, showmedians=True)
            color = MODES[r.mode][1]
            for body in parts["bodies"]:
                body.set_facecolor(color)
                body.set_alpha(0.6)
            for key in ("cmedians", "cbars", "cmins", "cmaxes"):
                parts[key].set_color(color)
        positions.append(5 * i + 0.45 * (len(present) - 1))
        labels.append(name)
    ax.set_yscale("log")
    ax.set_xticks(positions, labels, rotation=30, ha="right")
    ax.set_ylabel("latency at concurrency 1 (ms, log)")
    ax.set_title(title)
    from matplotlib.patches import Patch

    shown = {r.mode for r in results if r.latencies_ms}
    ax.legend(handles=[Patch(color=c, label=label) for mode, (label, c) in MODES.items() if mode in shown])
    fig.tight_layout()
    fig.savefig(path, dpi=110)


async def start_peer(args: argparse.Namespace, driver: neo4j.AsyncDriver, subjects: dict) -> dict:
    """--peers: PostgreSQL's `bench` cluster started (from nothing on a fresh machine) and
    loaded from the files Neo4j was loaded from, unless it already holds them; then the
    answer check, which stops the run on the first input the two stores disagree on."""
    if not args.data:
        raise SystemExit("--peers needs --data: the generated folder both stores are loaded from")
    import peer_pg

    cluster = peer_pg.Cluster("bench").start()
    loaded = peer_pg.ensure_loaded(cluster, args.org, Path(args.data))
    pg = peer_pg.Peer(cluster.dsn, args.org)
    try:
        check = await peer_pg.check(pg, peer_pg.Graphsvc(driver, args.org), args.check_samples,
                                    subjects["hubs"][:3])
    except peer_pg.Mismatch as exc:
        await pg.close()
        raise SystemExit(f"the stores answer differently, so no figures:\n{exc}") from None
    far = await peer_pg.far_pairs(pg, random.Random(args.seed), per_distance=20, sources=8)
    subjects["farPairs"] = {d: pairs for d, pairs in far.items() if d is not None}
    print("degree_6 subjects by distance: " + ", ".join(f"{d or 'beyond 6'}: {len(v)}" for d, v in far.items()),
          file=sys.stderr)
    return {"peer": pg, "check": check, "load": loaded, "settings": cluster.settings(),
            "farPairs": {str(d): len(v) for d, v in far.items()}}


# The names for the peers summary, where the bench's differ.
PEER_NAMES = {"visibility_batch_1000": "visibility_1000", "visibility_batch_100": "visibility_100"}


def peers_summary(summaries: list[dict], people: int, peers: dict) -> dict:
    """The three-way summary, small enough to commit (docs/bench/peers-<date>.json): medians
    and p99 at concurrency 1 and throughput per concurrency, per op and store. The API and
    Neo4j figures of `degree_recursive` are `degree`'s: only PostgreSQL has two forms."""
    by = {(s["op"], s["mode"]): s for s in summaries}
    names = [s["op"] for s in summaries if s["mode"] == "pg"]
    out: dict[str, Any] = {"people": people, "ops": {}, "p99": {}, "throughput": {},
                           "floor": {"neo4j": by[("floor", "floor")]["medianMs"],
                                     "postgres": by[("floor", "pgfloor")]["medianMs"],
                                     "api": by[("floor", "apifloor")]["medianMs"]},
                           # RETURN 1, SELECT 1 and GET /healthz per second: what no op can beat.
                           "floorThroughput": {c: {side: by[("floor", mode)]["throughput"].get(c)
                                                   for side, mode in (("api", "apifloor"), ("neo4j", "floor"),
                                                                      ("postgres", "pgfloor"))}
                                               for c in by[("floor", "floor")]["throughput"]},
                           "check": {op: r["samples"] for op, r in peers["check"].items()
                                     if isinstance(r, dict) and "samples" in r},
                           "suggestionCapsInCheck": peers["check"]["suggestionCaps"],
                           "postgres": peers["settings"], "degree6PairsByDistance": peers["farPairs"]}
    for name in names:
        same = "degree" if name == "degree_recursive" else name
        sides = {"api": by.get((same, "api")), "neo4j": by.get((same, "raw")), "postgres": by.get((name, "pg"))}
        key = PEER_NAMES.get(name, name)
        out["ops"][key] = {k: v["medianMs"] if v else None for k, v in sides.items()}
        out["p99"][key] = {k: v["p99Ms"] if v else None for k, v in sides.items()}
        concs = sorted({c for v in sides.values() if v for c in v["throughput"]}, key=int)
        out["throughput"][key] = {c: {k: v["throughput"].get(c) if v else None for k, v in sides.items()}
                                  for c in concs}
    return out


def peers_table(peers: dict, conc: list[int]) -> str:
    """Medians side by side with the ratios, and the throughput at the highest concurrency."""
    top = str(max(conc))
    head = (f"{'operation':<22}{'api':>9}{'neo4j':>9}{'postgres':>10}{'neo4j/pg':>10}{'api/pg':>8}"
            f"{'c=' + top + ' api':>11}{'neo4j':>8}{'postgres':>10}")
    lines = [head, "-" * len(head)]

    def ms(v: float | None) -> str:
        return f"{v:.2f}" if v is not None else "-"

    fl = peers["floor"]
    ftp = peers.get("floorThroughput", {}).get(top, {})
    lines.append(f"{'floor (healthz/1/SEL 1)':<22}{ms(fl.get('api')):>9}{ms(fl['neo4j']):>9}{ms(fl['postgres']):>10}"
                 f"{fl['neo4j'] / fl['postgres'] if fl['postgres'] else 0:>10.2f}{'':>8}"
                 + "".join(f"{(ftp.get(k) or 0):>{w}.0f}" for k, w in (("api", 11), ("neo4j", 8), ("postgres", 10))))
    def ratio(a: float | None, pg: float | None) -> str:
        return f"{a / pg:.2f}" if a and pg else "-"

    for op, m in peers["ops"].items():
        tp = peers["throughput"].get(op, {}).get(top, {})
        lines.append(f"{op:<22}{ms(m['api']):>9}{ms(m['neo4j']):>9}{ms(m['postgres']):>10}"
                     f"{ratio(m['neo4j'], m['postgres']):>10}{ratio(m['api'], m['postgres']):>8}"
                     + "".join(f"{(tp.get(k) or 0):>{w}.0f}" for k, w in (("api", 11), ("neo4j", 8), ("postgres", 10))))
    return "\n".join(lines)


def table(summaries: list[dict], conc: list[int]) -> str:
    by = {(s["op"], s["mode"]): s for s in summaries}
    floor = by.get(("floor", "floor"), {}).get("medianMs")
    head = (f"{'operation':<22}{'mode':<8}{'median':>9}{'p99':>9}" + "".join(f"{'c=' + str(c):>9}" for c in conc)
            + f"{'api/raw':>9}{'api/floor':>10}")
    lines = [head, "-" * len(head)]
    for s in summaries:
        raw = by.get((s["op"], "raw"))
        ratio = (f"{s['medianMs'] / raw['medianMs']:9.2f}" if s["mode"] == "api" and raw and raw["medianMs"]
                 and s["medianMs"] else " " * 9)
        fl = f"{s['medianMs'] / floor:10.2f}" if s["mode"] == "api" and floor and s["medianMs"] else " " * 10
        med = f"{s['medianMs']:9.2f}" if s["medianMs"] is not None else f"{'-':>9}"
        p99 = f"{s['p99Ms']:9.2f}" if s["p99Ms"] is not None else f"{'-':>9}"
        tp = "".join(f"{s['throughput'].get(str(c), 0):9.0f}" for c in conc)
        lines.append(f"{s['op']:<22}{s['mode']:<8}{med}{p99}{tp}{ratio}{fl}")
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> int:
    inst = localdb.instance(args.instance)
    localdb.start(inst)
    out = ROOT / args.out
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    secret = secrets.token_urlsafe(32)
    port = localdb._free_port()
    extra = args.server_arg or []
    env_extra = dict(kv.split("=", 1) for kv in (args.server_env or []))
    server = start_server(inst, port, secret, extra, env_extra, out / f"server-{stamp}.log")
    driver_io.install()  # the raw driver times its socket I/O as the service's does
    driver = neo4j.AsyncGraphDatabase.driver(inst.uri, auth=("neo4j", inst.password), max_connection_pool_size=100,
                                            notifications_min_severity="OFF")
    bench: Bench | None = None
    try:
        subjects = await find_subjects(driver, args.org, Path(args.data) if args.data else None)
        print(f"org {args.org}: {subjects['people']:,} people, {subjects['posts']:,} posts, hubs "
              f"{subjects['hubDegrees']}, most followed {subjects['followed'][:3]}", file=sys.stderr)
        bench = Bench(args, driver, HttpPool(port, args.org), secret, subjects)
        await bench.prepare()
        if args.peers:
            peers = await start_peer(args, driver, subjects)
            bench.peer = peers["peer"]
        results: list[Result] = []
        print("floor: RETURN 1", file=sys.stderr)
        floor = await bench.measure("floor", "floor", lambda i: bench.floor)
        results.append(floor)
        floors = [(floor, lambda i: bench.floor)]
        if bench.peer is not None:
            print("floor: SELECT 1", file=sys.stderr)
            pgfloor = await bench.measure("floor", "pgfloor", lambda i: bench.peer.floor)
            results.append(pgfloor)
            floors.append((pgfloor, lambda i: bench.peer.floor))
        print("floor: GET /healthz", file=sys.stderr)
        results.append(await bench.measure("floor", "apifloor", lambda i: bench.api_floor))
        for op in bench.ops():
            if args.ops and op.name not in args.ops:
                continue
            print(f"{op.name}: latency", file=sys.stderr)
            modes = op.modes()
            measured = [Result(op.name, mode) for mode, _ in modes]
            # Each side's floor (RETURN 1, SELECT 1) is sampled alongside every operation too:
            # the floor under the same load.
            await bench.latency(measured + [f for f, _ in floors], [m for _, m in modes] + [m for _, m in floors])
            print(f"{op.name}: throughput", file=sys.stderr)
            for res, (_, make) in zip(measured, modes):
                results.append(await bench.measure(op.name, res.mode, make, res))
        undone = await bench.undo_writes()
        print(f"writes undone: {undone}", file=sys.stderr)
        audience = None
        if subjects["topPage"] and (not args.ops or "audience_walk" in args.ops):
            print("audience_walk: the fan-out of a post in the most-followed page", file=sys.stderr)
            audience = await bench.audience_walk()
        rss = peak_rss_mb(server.pid)
    finally:
        if bench is not None and bench.peer is not None:
            await bench.peer.close()
        await driver.close()
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
    summaries = [r.summary() for r in results]
    by = {(s["op"], s["mode"]): s for s in summaries}
    ratios = {}
    floor = by[("floor", "floor")]["medianMs"]
    for s in summaries:
        raw = by.get((s["op"], "raw"))
        if s["mode"] == "api" and s["medianMs"]:
            ratios[s["op"]] = {
                "apiOverRaw": round(s["medianMs"] / raw["medianMs"], 2) if raw and raw["medianMs"] else None,
                "apiOverFloor": round(s["medianMs"] / floor, 2) if floor else None,
                "throughput32ApiOverRaw": (round(s["throughput"]["32"] / raw["throughput"]["32"], 2)
                                           if raw and raw["throughput"].get("32") and "32" in s["throughput"] else None),
            }
    report = {
        "stamp": stamp, "org": args.org, "people": subjects["people"], "posts": subjects["posts"],
        "hubDegrees": subjects["hubDegrees"], "server": {"args": extra, "env": env_extra, "peakRssMb": rss},
        "settings": {k: v for k, v in vars(args).items() if k not in ("server_arg", "server_env")},
        "results": summaries, "ratios": ratios, "audienceWalk": audience,
        "raw": {f"{r.name}/{r.mode}": [round(x, 3) for x in r.latencies_ms] for r in results},
    }
    if args.peers:
        report["peers"] = peers_summary(summaries, subjects["people"], peers)
        (out / f"peers-{stamp}.json").write_text(json.dumps(report["peers"], indent=1))
        (out / "peers-latest.json").write_text(json.dumps(report["peers"], indent=1))
    (out / f"bench-{stamp}.json").write_text(json.dumps(report, indent=1))
    (out / "latest.json").write_text(json.dumps(report, indent=1))
    print(table(summaries, args.concurrency))
    if args.peers:
        print()
        print(peers_table(report["peers"], args.concurrency))
    if audience:
        print(f"audience walk of a post in page {audience['page']} ({audience['pageFollowers']:,} followers), "
              f"{audience['limit']} per page: " + "; ".join(
                  f"{m} {audience[m]['pages']} pages, {audience[m]['people']:,} people, first page "
                  f"{audience[m]['firstPageMs']} ms, worst page {audience[m]['maxPageOverFirst']}x the first, "
                  f"whole walk {audience[m]['walkSeconds']} s" for m in ("api", "raw")))
    print(f"API server peak RSS: {rss} MB; server args {extra or 'default'}")
    try:
        title = f"graphsvc, {subjects['people']:,} people, {' '.join(extra) or 'default server'}"
        plot(results, out / f"bench-{stamp}.png", title)
        plot(results, out / "latest.png", title)
        print(f"wrote {out / f'bench-{stamp}.json'} and .png")
    except ImportError:
        print("matplotlib not installed: no plot (pip install -e '.[bench]')", file=sys.stderr)
    return 0


def main() -> int:
    import logging

    # The raw-driver write baselines retry deadlocks like the API does; the driver's
    # WARNING per retry would bury the table.
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--instance", default="bench")
    p.add_argument("--org", default="bench")
    p.add_argument("--data", default=None, help="the generated folder (for manifest.json: hubs)")
    p.add_argument("--samples", type=int, default=300)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--latency-seconds", type=float, default=20.0, help="cap on each latency run")
    p.add_argument("--throughput-seconds", type=float, default=4.0)
    p.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    p.add_argument("--ops", nargs="*", help="only these operations")
    p.add_argument("--seed", type=int, default=None, help="subject picks (default: new each run)")
    p.add_argument("--server-arg", action="append", help="extra uvicorn argument, e.g. --server-arg=--loop=uvloop")
    p.add_argument("--server-env", action="append", help="extra server env, e.g. GRAPHSVC_POOL_SIZE=50")
    p.add_argument("--out", default="bench-results")
    p.add_argument("--peers", action="store_true",
                   help="PostgreSQL beside graphsvc (bench/peer_pg.py): load --data, check answers, time it too")
    p.add_argument("--check-samples", type=int, default=50, help="--peers: inputs per op in the answer check")
    p.add_argument("--replot", help="only redraw the PNG of this results JSON")
    args = p.parse_args()
    if args.replot:
        report = json.loads(Path(args.replot).read_text())
        results = [Result(*key.split("/"), latencies_ms=lat) for key, lat in report["raw"].items()]
        plot(results, Path(args.replot).with_suffix(".png"),
             f"graphsvc, {report['people']:,} people, {' '.join(report['server']['args']) or 'default server'}")
        return 0
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
