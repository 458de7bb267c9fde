"""Coalesced single visibility checks: under concurrency the answers are the one-by-one
answers, one failing item fails alone, and a lone check is one statement of one item.
The coalescer itself (graphsvc/db/coalesce.py) is also driven in-process with a batch
function that fails on purpose, for the split path a real statement cannot be made to take."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from neo4j.exceptions import ConnectionAcquisitionTimeoutError

from graphsvc.db.coalesce import Coalescer
from graphsvc.errors import DATABASE_UNAVAILABLE

from .conftest import Org
from .test_graph import VIS, _counter, feed  # noqa: F401 - feed is a fixture

VIEWERS = ("usr_author", "usr_conn", "usr_fol", "usr_str", "usr_blk", "usr_ghost", "str@x.test")


def _sizes(http: httpx.Client) -> tuple[float, float, float]:
    """(statements, statements of one item, items) of the visibility coalescer so far."""
    text = http.get("/metrics").text

    def value(pattern: str) -> float:
        m = re.search(pattern + r" ([0-9.e+]+)", text)
        return float(m.group(1)) if m else 0.0
    return (value(r'graphsvc_coalesced_batch_size_count\{read="visibility"\}'),
            value(r'graphsvc_coalesced_batch_size_bucket\{le="1.0",read="visibility"\}'),
            value(r'graphsvc_coalesced_batch_size_sum\{read="visibility"\}'))


@pytest.fixture
def every_reason(org: Org, feed):  # noqa: F811
    """The feed's posts (author, public, connection, follower, blocked, private, not_connected,
    not_follower, unknown_viewer) plus a page post (page_follower), a mute and unknown posts."""
    service = feed
    org.staff().put("/community/pages/pg_club", {"name": "Club"})
    assert service.put("/community/posts/p_club", {"authorId": "usr_author", "visibility": "followers",
                                                   "pageId": "pg_club"}).status_code == 201
    org.member("usr_str", "str@x.test").post("/client/community/follow", {"following": "pg_club",
                                                                         "followingType": "page"})
    assert org.member("usr_fol").post("/client/community/mutes", {"targetId": "usr_author"}).status_code == 201
    return service, [f"p_{v}" for v in VIS] + ["p_club", "p_none"]


async def _concurrently(server_url: str, service, asks: list[dict]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=len(asks), max_keepalive_connections=len(asks))
    async with httpx.AsyncClient(base_url=server_url, headers=service.headers, limits=limits, timeout=60) as client:
        return await asyncio.gather(*(client.get("/community/visibility", params=ask) for ask in asks))


def test_concurrent_single_checks_equal_the_one_by_one_answers(server, http, every_reason):
    service, posts = every_reason
    pairs = [{"viewerId": v, "postId": p} for v in VIEWERS for p in posts]
    alone = {}
    for ask in pairs:
        r = service.get("/community/visibility", params=ask)
        assert r.status_code == 200, r.text
        alone[ask["viewerId"], ask["postId"]] = r.json()
    reasons = {a["reason"] for a in alone.values()}
    assert reasons == {"author", "public", "connection", "follower", "page_follower", "blocked", "private",
                       "not_connected", "not_follower", "unknown_viewer", "not_found"}
    assert any(a["muted"] for a in alone.values())
    asks = [pairs[i % len(pairs)] for i in range(200)]
    before = _sizes(http)
    answers = asyncio.run(_concurrently(server.url, service, asks))
    after = _sizes(http)
    for ask, r in zip(asks, answers):
        assert r.status_code == 200, r.text
        assert r.json() == alone[ask["viewerId"], ask["postId"]], ask
    statements, singles, items = (a - b for a, b in zip(after, before))
    assert items == 200
    assert statements - singles > 0, "no statement answered more than one check"
    assert statements < 200


def test_a_failing_check_fails_alone(server, http, every_reason, driver, org):
    """A post with two authors (a broken graph) makes its check's answer the wrong length: that
    caller gets a 500, the callers whose checks shared its statement get their verdicts."""
    service, posts = every_reason
    assert service.put("/community/posts/p_broken", {"authorId": "usr_author", "visibility": "public"}).status_code == 201
    driver.execute_query("MATCH (p:Post {org: $org, id: 'p_broken'}), (a:Person {org: $org, id: 'usr_conn'}) "
                         "CREATE (a)-[:AUTHORED]->(p)", org=org.id)
    alone = service.get("/community/visibility", params={"viewerId": "usr_str", "postId": "p_broken"})
    assert alone.status_code == 500 and alone.json()["error"]["code"] == "internal"
    good = [{"viewerId": v, "postId": p} for v in VIEWERS for p in posts]
    expected = {(a["viewerId"], a["postId"]): service.get("/community/visibility", params=a).json() for a in good}
    asks = [good[i % len(good)] if i % 20 else {"viewerId": "usr_str", "postId": "p_broken"} for i in range(200)]
    before = _sizes(http)
    answers = asyncio.run(_concurrently(server.url, service, asks))
    after = _sizes(http)
    for ask, r in zip(asks, answers):
        if ask["postId"] == "p_broken":
            assert r.status_code == 500 and r.json()["error"]["code"] == "internal", r.text
        else:
            assert r.status_code == 200 and r.json() == expected[ask["viewerId"], ask["postId"]], (ask, r.text)
    statements, singles, _ = (a - b for a, b in zip(after, before))
    assert statements - singles > 0, "no statement answered more than one check"


def test_a_lone_check_is_one_statement_of_one_item(http, every_reason):
    service, _ = every_reason
    before, sent = _sizes(http), _counter(http, "visibility/check_stored")
    r = service.get("/community/visibility", params={"viewerId": "usr_conn", "postId": "p_connections"})
    assert r.json() == {"visible": True, "reason": "connection", "muted": False}
    after = _sizes(http)
    assert _counter(http, "visibility/check_stored") - sent == 1
    assert [a - b for a, b in zip(after, before)] == [1, 1, 1]


# ---- the coalescer in-process ---------------------------------------------------------------------------------

class Poisoned(Exception):
    pass


def _runner(log: list[list[str]], fail_whole: BaseException | None = None):
    """A batch function that answers item.upper(), fails the whole statement when "bad" is among
    its items (or always with `fail_whole`), and answers "odd" items with their own error."""
    async def run_batch(key: str, items: list[str]) -> list:
        log.append(list(items))
        await asyncio.sleep(0.01)
        if fail_whole is not None:
            raise fail_whole
        if "bad" in items:
            raise Poisoned("bad")
        return [ValueError(item) if item.startswith("odd") else f"{key}:{item.upper()}" for item in items]
    return run_batch


def test_coalescer_alone_runs_at_once_and_concurrent_items_go_together():
    log: list[list[str]] = []
    co = Coalescer("test-together", _runner(log), max_batch=10)

    async def scenario():
        assert await co.get("org1", "a") == "org1:A"
        assert log == [["a"]]
        results = await asyncio.gather(*(co.get("org1", f"i{n}") for n in range(25)), co.get("org2", "x"))
        assert results == [f"org1:I{n}" for n in range(25)] + ["org2:X"]
        assert not co._busy
    asyncio.run(scenario())
    # The first of org1 alone, then the queue in statements of at most 10; org2 never mixed in.
    assert log[1] == ["i0"] and log[2] == ["x"]
    assert log[3:] == [[f"i{n}" for n in range(1, 11)], [f"i{n}" for n in range(11, 21)],
                       [f"i{n}" for n in range(21, 25)]]


def test_coalescer_keeps_in_flight_statements_going_at_once():
    """in_flight=2: two statements of a key run at once, and the queue is shared between
    them as they return rather than all going to the first."""
    log: list[list[str]] = []
    running = peak = 0

    async def run_batch(key, items):
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        log.append(list(items))
        await asyncio.sleep(0.01)
        running -= 1
        return [f"{key}:{item}" for item in items]
    co = Coalescer("test-in-flight", run_batch, in_flight=2)

    async def scenario():
        return await asyncio.gather(*(co.get("org", f"i{n}") for n in range(20)))
    assert asyncio.run(scenario()) == [f"org:i{n}" for n in range(20)]
    assert peak == 2
    assert log[:2] == [["i0"], ["i1"]]  # the first two alone and at once
    assert sorted(sum(log[2:], [])) == sorted(f"i{n}" for n in range(2, 20))
    assert len(log[2]) == 9  # half of the 18 queued; the other statement takes from the rest
    assert not co._busy and not co._running


def test_coalescer_a_failing_statement_is_split_and_an_item_error_stays_its_own():
    log: list[list[str]] = []
    co = Coalescer("test-split", _runner(log))

    async def scenario():
        items = ["first", *[f"g{n}" for n in range(6)], "bad", "odd1", "g6"]
        return await asyncio.gather(*(co.get("org", item) for item in items), return_exceptions=True)
    first, *rest = asyncio.run(scenario())
    assert first == "org:FIRST"
    *good, bad, odd, last = rest
    assert good == [f"org:G{n}" for n in range(6)] and last == "org:G6"
    assert isinstance(bad, Poisoned) and isinstance(odd, ValueError)
    assert log[1] == [*[f"g{n}" for n in range(6)], "bad", "odd1", "g6"]  # one statement, then halves
    assert ["bad"] in log and len(log) <= 1 + 2 * 4


@pytest.mark.parametrize("error", [DATABASE_UNAVAILABLE(), ConnectionAcquisitionTimeoutError("pool full")],
                         ids=["unreachable", "pool_full"])
def test_coalescer_does_not_split_when_the_database_is_unreachable_or_the_pool_full(error):
    """Each half would only wait as long again (for the pool: GRAPHSVC_DB_TIMEOUT per level)."""
    log: list[list[str]] = []
    co = Coalescer("test-unavailable", _runner(log, fail_whole=error))

    async def scenario():
        return await asyncio.gather(*(co.get("org", f"i{n}") for n in range(8)), return_exceptions=True)
    results = asyncio.run(scenario())
    assert all(r is error for r in results), results
    assert log == [["i0"], [f"i{n}" for n in range(1, 8)]]


def test_coalescer_skips_a_caller_that_gave_up():
    log: list[list[str]] = []
    co = Coalescer("test-gave-up", _runner(log))

    async def scenario():
        first = asyncio.ensure_future(co.get("org", "a"))
        await asyncio.sleep(0)
        gone = asyncio.ensure_future(co.get("org", "gone"))
        stays = asyncio.ensure_future(co.get("org", "stays"))
        await asyncio.sleep(0)
        gone.cancel()
        return await first, await stays
    assert asyncio.run(scenario()) == ("org:A", "org:STAYS")
    assert log == [["a"], ["stays"]]


def _at_once(server, http: httpx.Client, caller, read: str, gets: list[tuple[str, dict]]) -> list[httpx.Response]:
    """Every GET at once, in order; asserts that coalescer `read` answered more than one
    of them with one statement (its metrics before and after)."""
    def statements() -> tuple[float, float]:
        text = http.get("/metrics").text
        count = re.search(re.escape(f'graphsvc_coalesced_batch_size_count{{read="{read}"}}') + r" ([0-9.e+]+)", text)
        single = re.search(re.escape(f'graphsvc_coalesced_batch_size_bucket{{le="1.0",read="{read}"}}') + r" ([0-9.e+]+)",
                           text)
        return float(count.group(1)), float(single.group(1))

    async def concurrently() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=len(gets), max_keepalive_connections=len(gets))
        async with httpx.AsyncClient(base_url=server.url, headers=caller.headers, limits=limits, timeout=60) as client:
            return await asyncio.gather(*(client.get(path, params=params) for path, params in gets))
    before = statements()
    answers = asyncio.run(concurrently())
    after = statements()
    assert (after[0] - before[0]) - (after[1] - before[1]) > 0, "no statement answered more than one lookup"
    return answers


# ---- connection status ---------------------------------------------------------------------------------------

def test_concurrent_status_lookups_equal_the_one_by_one_answers(server, http, org):
    """GET .../connections/status/{userId} is coalesced the same way: every status, by id and by
    email, asked 200 times at once, answers as asked one by one."""
    service = org.service()
    C = "/client/community/connections"

    def ask(me: str, other: str, then: str | None = None) -> None:
        r = service.post(f"{C}/request", {"targetId": other, "userId": me})
        assert r.status_code in (200, 201), r.text
        if then:
            assert service.put(f"{C}/{r.json()['id']}/respond", {"action": then, "userId": other}).status_code == 200
    ask("usr_me", "usr_acc", "accept")
    ask("usr_me", "usr_sent")
    ask("usr_recv", "usr_me")
    ask("usr_me", "usr_rej", "reject")
    assert org.member("usr_acc", "acc@x.test").get("/client/community/follow/stats").status_code == 200
    pairs = [(me, other) for me in ("usr_me", "usr_acc", "usr_nobody")
             for other in ("usr_acc", "acc@x.test", "usr_sent", "usr_recv", "usr_rej", "usr_none", "usr_me")
             if me != other and (me, other) != ("usr_acc", "acc@x.test")]
    alone = {p: service.get(f"{C}/status/{p[1]}", params={"userId": p[0]}).json() for p in pairs}
    assert {a["status"] for a in alone.values()} == {"accepted", "pending_sent", "pending_received", "rejected", "none"}
    asks = [pairs[i % len(pairs)] for i in range(200)]
    answers = _at_once(server, http, service, "connection_status",
                       [(f"{C}/status/{other}", {"userId": me}) for me, other in asks])
    for pair, r in zip(asks, answers):
        assert r.status_code == 200 and r.json() == alone[pair], (pair, r.text)


# ---- mutual connections --------------------------------------------------------------------------------------

def test_concurrent_mutual_lookups_equal_the_one_by_one_answers(server, http, org):
    """GET .../connections/mutual/{userId} is coalesced too: pairs with many, few and no
    mutuals, by id and by email, unknown people, different pages and a cursor, asked 200
    times at once, answer as asked one by one; and concurrent lookups share statements."""
    service = org.service()
    C = "/client/community/connections"

    def connect(a: str, b: str) -> None:
        r = service.post(f"{C}/request", {"targetId": b, "userId": a})
        assert r.status_code == 201, r.text
        assert service.put(f"{C}/{r.json()['id']}/respond", {"action": "accept", "userId": b}).status_code == 200
    for i in range(6):
        connect("usr_a", f"usr_m{i}")
        connect(f"usr_m{i}", "usr_b")
    connect("usr_m0", "usr_c")
    assert org.member("usr_b", "b@x.test").get("/client/community/follow/stats").status_code == 200
    cursor = service.get(f"{C}/mutual/usr_b", params={"userId": "usr_a", "limit": 2}).json()["pagination"]["nextCursor"]
    queries = [{"limit": 20}, {"limit": 2}, {"limit": 2, "page": 3}, {"limit": 4, "page": 9}, {"limit": 3, "cursor": cursor}]
    pairs = [("usr_a", "usr_b"), ("usr_a", "b@x.test"), ("usr_b", "usr_a"), ("usr_a", "usr_c"), ("usr_c", "usr_m1"),
             ("usr_nobody", "usr_a"), ("usr_a", "usr_a")]
    cases = [(me, other, i) for me, other in pairs for i in range(len(queries))
             if not ("cursor" in queries[i] and (me, other) != ("usr_a", "usr_b"))]
    alone = {}
    for me, other, i in cases:
        r = service.get(f"{C}/mutual/{other}", params={"userId": me, **queries[i]})
        assert r.status_code == 200, r.text
        alone[(me, other, i)] = r.json()
    assert alone[("usr_a", "usr_b", 0)]["pagination"]["total"] == 6
    assert [m["id"] for m in alone[("usr_a", "usr_b", 4)]["data"]] == ["usr_m2", "usr_m3", "usr_m4"]
    assert alone[("usr_a", "usr_c", 0)]["pagination"]["total"] == 1
    assert alone[("usr_nobody", "usr_a", 0)]["pagination"]["total"] == 0
    asks = [cases[i % len(cases)] for i in range(200)]
    answers = _at_once(server, http, service, "mutual",
                       [(f"{C}/mutual/{other}", {"userId": me, **queries[i]}) for me, other, i in asks])
    for case, r in zip(asks, answers):
        assert r.status_code == 200 and r.json() == alone[case], (case, r.text)
