"""Requests that race on purpose (issue 19, item 3): the loser of a race gets the contract's
404 or 409, never a 500, and the graph and the event feed agree afterwards.

Each round starts the racing requests together behind a barrier, every request on its own
HTTP connection, so the server really runs them at the same time.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .conftest import Caller, Org

ROUNDS = 12
P = "/client/community/connections"


def race(server, *calls) -> list[httpx.Response]:
    """Send each (caller, method, path, json) at the same instant, each on its own connection."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        who, method, path, body = call
        with httpx.Client(base_url=server.url, timeout=30) as client:
            client.get("/healthz")  # connected before the barrier, so the requests leave together
            barrier.wait()
            return Caller(client, who.org, who.sub, who.role, who.email).request(method, path, json=body)

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def request(a: Caller, b: Caller) -> str:
    r = a.post(f"{P}/request", {"targetId": b.sub})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def live_edges(driver, org: str, a: str, b: str) -> Counter:
    records = driver.execute_query(
        "MATCH (x:Person {org: $org, id: $a})-[c:CONNECTED]-(y:Person {org: $org, id: $b}) RETURN c.status AS s",
        org=org, a=a, b=b).records
    return Counter(r["s"] for r in records)


def event_types(staff: Caller) -> Counter:
    r = staff.get("/community/events", params={"limit": 1000})
    assert r.status_code == 200, r.text
    return Counter(e["type"] for e in r.json()["data"])


def assert_friend_edges_hold(driver, org: str) -> None:
    """`graphsvc check`'s friend_edges: whichever side won each race, the FRIEND
    relationships are exactly the accepted connections."""
    from graphsvc.ops import check

    assert [v.detail for v in check.run(driver, "neo4j", org)[1] if v.check == "friend_edges"] == []


def describe(responses: list[httpx.Response]) -> list:
    return [(r.request.method, r.status_code, r.text[:200]) for r in responses]


def test_accept_racing_a_withdraw(server, org: Org, driver):
    """Bob accepts Alice's request at the instant she withdraws it. Whoever is second gets
    404 (gone) or 409 (no longer pending) -- or, accepted first, the withdraw removes the
    connection (204). Either way the two end connected exactly when the withdraw lost, and
    the events say what happened."""
    staff, outcomes = org.staff(), Counter()
    for i in range(ROUNDS):
        alice, bob = org.member(f"usr_a{i}"), org.member(f"usr_b{i}")
        cid = request(alice, bob)
        before = event_types(staff)
        accept, withdraw = race(server, (bob, "PUT", f"{P}/{cid}/respond", {"action": "accept"}),
                                (alice, "DELETE", f"{P}/{cid}", None))
        outcomes[(accept.status_code, withdraw.status_code)] += 1
        connected = withdraw.status_code != 204
        status = alice.get(f"{P}/status/{bob.sub}").json()["status"]
        edges = live_edges(driver, org.id, alice.sub, bob.sub)
        assert (status, edges) == (("accepted", Counter({"accepted": 1})) if connected else ("none", Counter())), \
            (i, describe([accept, withdraw]), status, edges)
        assert event_types(staff) - before == Counter({"connection.accepted": int(accept.status_code == 200),
                                                       "connection.removed": int(withdraw.status_code == 204)})
    print(f"\naccept vs withdraw, (accept, withdraw) statuses over {ROUNDS} rounds: {dict(outcomes)}")
    allowed = {(200, 204), (404, 204), (409, 204), (200, 404), (200, 409)}
    assert set(outcomes) <= allowed, f"(accept, withdraw) outcomes: {dict(outcomes)}"
    assert_friend_edges_hold(driver, org.id)


def test_three_simultaneous_deletes_of_one_request(server, org: Org, driver):
    """Three tabs withdraw the same request at once: one 204, two 404, one removal event."""
    staff, outcomes = org.staff(), Counter()
    for i in range(ROUNDS):
        alice, bob = org.member(f"usr_a{i}"), org.member(f"usr_b{i}")
        cid = request(alice, bob)
        before = event_types(staff)
        responses = race(server, *[(alice, "DELETE", f"{P}/{cid}", None)] * 3)
        outcomes[tuple(sorted(r.status_code for r in responses))] += 1
        assert not live_edges(driver, org.id, alice.sub, bob.sub)
        assert event_types(staff) - before == Counter({"connection.removed": 1})
    print(f"\nthree deletes, statuses over {ROUNDS} rounds: {dict(outcomes)}")
    assert set(outcomes) == {(204, 404, 404)}, f"statuses of the three deletes: {dict(outcomes)}"
    assert_friend_edges_hold(driver, org.id)


@pytest.mark.parametrize("blocker", ["requester", "target"])
def test_block_racing_an_accept(server, org: Org, driver, blocker: str):
    """Bob accepts Alice's request while one of them blocks the other. The accept wins (200)
    or finds the request gone (404/409); the block always succeeds; afterwards they are not
    connected and the block stands."""
    outcomes = Counter()
    for i in range(ROUNDS):
        alice, bob = org.member(f"usr_a{i}"), org.member(f"usr_b{i}")
        cid = request(alice, bob)
        who, whom = (alice, bob) if blocker == "requester" else (bob, alice)
        accept, block = race(server, (bob, "PUT", f"{P}/{cid}/respond", {"action": "accept"}),
                             (who, "POST", "/client/community/blocks", {"targetId": whom.sub}))
        outcomes[(accept.status_code, block.status_code)] += 1
        assert not live_edges(driver, org.id, alice.sub, bob.sub), (i, describe([accept, block]))
        assert alice.get(f"{P}/status/{bob.sub}").json()["status"] == "none"
        assert [b["id"] for b in who.get("/client/community/blocks").json()["data"]] == [whom.sub]
    print(f"\nblock ({blocker}) vs accept, (accept, block) statuses over {ROUNDS} rounds: {dict(outcomes)}")
    assert set(outcomes) <= {(200, 201), (404, 201), (409, 201)}, f"(accept, block) outcomes: {dict(outcomes)}"
    assert_friend_edges_hold(driver, org.id)


def test_accept_all_racing_a_withdraw(server, org: Org, driver):
    """Bob accepts everything received at the instant Alice withdraws her request: the
    withdraw always succeeds (it removes the request, or the connection just accepted),
    accept-all counts only what it really accepted, and they end unconnected."""
    staff, outcomes = org.staff(), Counter()
    for i in range(ROUNDS):
        alice, bob = org.member(f"usr_a{i}"), org.member(f"usr_b{i}")
        cid = request(alice, bob)
        before = event_types(staff)
        accept_all, withdraw = race(server, (bob, "POST", f"{P}/accept-all", None),
                                    (alice, "DELETE", f"{P}/{cid}", None))
        assert (accept_all.status_code, withdraw.status_code) == (200, 204), describe([accept_all, withdraw])
        accepted = accept_all.json()["accepted"]
        outcomes[accepted] += 1
        assert not live_edges(driver, org.id, alice.sub, bob.sub)
        assert event_types(staff) - before == Counter({"connection.accepted": accepted, "connection.removed": 1})
    print(f"\naccept-all vs withdraw, accepted counts over {ROUNDS} rounds: {dict(outcomes)}")
    assert set(outcomes) <= {0, 1}
    assert_friend_edges_hold(driver, org.id)


def test_remove_by_user_racing_remove_by_id(server, org: Org, driver):
    """Alice removes the connection by its id while Bob removes it by Alice's user id:
    one 204, one 404, one removal event."""
    staff, outcomes = org.staff(), Counter()
    for i in range(ROUNDS):
        alice, bob = org.member(f"usr_a{i}"), org.member(f"usr_b{i}")
        cid = request(alice, bob)
        assert bob.put(f"{P}/{cid}/respond", {"action": "accept"}).status_code == 200
        before = event_types(staff)
        by_id, by_user = race(server, (alice, "DELETE", f"{P}/{cid}", None),
                              (bob, "DELETE", f"{P}/user/{alice.sub}", None))
        outcomes[(by_id.status_code, by_user.status_code)] += 1
        assert not live_edges(driver, org.id, alice.sub, bob.sub)
        assert event_types(staff) - before == Counter({"connection.removed": 1})
    print(f"\nremove by id vs by user, (by id, by user) statuses over {ROUNDS} rounds: {dict(outcomes)}")
    assert set(outcomes) <= {(204, 404), (404, 204)}, f"(by id, by user) outcomes: {dict(outcomes)}"
    assert_friend_edges_hold(driver, org.id)


def test_many_people_asking_one_popular_person_at_once(server, org: Org, driver):
    """Writes about one popular person deadlock inside Neo4j (it picks a victim at once, the
    driver retries the victim). Every request still succeeds: 16 people at a time, 4 rounds,
    all 201, and the person ends with every pending request."""
    star = org.member("usr_star")
    fans = [org.member(f"usr_fan{i:03d}") for i in range(64)]
    statuses: Counter = Counter()
    for start in range(0, len(fans), 16):
        batch = fans[start:start + 16]
        responses = race(server, *[(fan, "POST", f"{P}/request", {"targetId": star.sub}) for fan in batch])
        statuses.update(r.status_code for r in responses)
        assert all(r.status_code == 201 for r in responses), describe(responses)
    assert statuses == Counter({201: 64})
    r = star.get(f"{P}/pending", params={"limit": 1})
    assert r.status_code == 200 and r.json()["pagination"]["total"] == 64, r.text
    assert_friend_edges_hold(driver, org.id)


def test_accept_alls_and_removals_racing_across_a_hubs_kept_friends(server, org: Org, driver, neo4j_target, tmp_path):
    """A hub one friend short of needing FRIEND_TOP (1,001 kept past 1,001 friends) has six
    of its requests accepted at the same instant by six accept-alls, which lock no pair
    first; then the six remove it at once. Each refresh counts the hub's friends under its
    lock, so the hub ends with the 1,001 kept and then none, and `graphsvc check` agrees."""
    from graphsvc.ops import check

    from .test_import import run_cli, write_csv

    hub = org.member("usr_hub")
    write_csv(tmp_path / "people.csv", ["id"], [[hub.sub]] + [[f"usr_f{i:04d}"] for i in range(1000)])
    write_csv(tmp_path / "connections.csv", ["requesterId", "targetId", "status"],
              [[f"usr_f{i:04d}", hub.sub, "accepted"] for i in range(1000)])
    done = run_cli(neo4j_target, "import", str(tmp_path), "--org", org.id)
    assert done.returncode == 0, done.stderr
    racers = [org.member(f"usr_a{i}") for i in range(6)]
    for r in racers:
        assert hub.post(f"{P}/request", {"targetId": r.sub}).status_code == 201

    def kept() -> int:
        return driver.execute_query("MATCH (:Person {org: $org, id: $id})-[t:FRIEND_TOP]->() RETURN count(t) AS n",
                                    org=org.id, id=hub.sub).records[0]["n"]

    def tops_hold() -> None:
        assert [v.detail for v in check.run(driver, "neo4j", org.id)[1] if v.check == "friend_tops"] == []

    responses = race(server, *[(r, "POST", f"{P}/accept-all", {}) for r in racers])
    assert [(x.status_code, x.json()) for x in responses] == [(200, {"accepted": 1})] * 6, describe(responses)
    assert kept() == 1001
    tops_hold()
    responses = race(server, *[(r, "DELETE", f"{P}/user/{hub.sub}", None) for r in racers])
    assert [x.status_code for x in responses] == [204] * 6, describe(responses)
    assert kept() == 0
    tops_hold()
    assert_friend_edges_hold(driver, org.id)
