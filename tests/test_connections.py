"""Connections through the HTTP API on both prefixes."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from .conftest import Caller, assert_error

PREFIXES = ["/client/community/connections", "/community/connections"]


@pytest.fixture(params=PREFIXES)
def P(request) -> str:
    return request.param


def ask(caller: Caller, P: str, target: str, **extra):
    return caller.post(f"{P}/request", {"targetId": target, **extra})


def respond(caller: Caller, P: str, cid: str, action: str):
    return caller.put(f"{P}/{cid}/respond", {"action": action})


def live_edges(driver, org: str, a: str, b: str) -> int:
    return driver.execute_query(
        "MATCH (x:Person {org: $org, id: $a})-[c:CONNECTED]-(y:Person {org: $org, id: $b}) "
        "WHERE c.status IN ['pending', 'accepted'] RETURN count(c) AS n", org=org, a=a, b=b).records[0]["n"]


def test_request_accept_and_the_record(org, P):
    alice, bob = org.member("usr_alice", "alice@example.com"), org.member("usr_bob")
    r = ask(alice, P, "usr_bob", message="Hi Bob — saw your design talk.", context={"event": "figma-conf-2026"})
    assert r.status_code == 201, r.text
    conn = r.json()
    assert conn["status"] == "pending" and conn["requesterId"] == "usr_alice" and conn["targetId"] == "usr_bob"
    assert conn["requesterEmail"] == "alice@example.com" and conn["targetEmail"] is None
    assert conn["message"] == "Hi Bob — saw your design talk." and conn["context"] == {"event": "figma-conf-2026"}
    assert conn["requestedAt"] and conn["respondedAt"] is None
    assert conn["id"].startswith("con_") and len(conn["id"]) > 20
    assert_error(ask(alice, P, "usr_bob"), 409, "already_pending")
    assert [c["id"] for c in bob.get(f"{P}/pending").json()["data"]] == [conn["id"]]
    assert [c["id"] for c in alice.get(f"{P}/sent").json()["data"]] == [conn["id"]]
    assert bob.get(f"{P}/pending").json()["data"][0]["user"] == {"id": "usr_alice", "email": "alice@example.com"}
    assert_error(respond(alice, P, conn["id"], "accept"), 403, "not_target")
    accepted = respond(bob, P, conn["id"], "accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["respondedAt"]
    assert_error(respond(bob, P, conn["id"], "accept"), 409, "not_pending")
    assert_error(ask(bob, P, "usr_alice"), 409, "already_connected")
    for who, other in ((alice, "usr_bob"), (bob, "usr_alice")):
        listed = who.get(P).json()
        assert [c["user"]["id"] for c in listed["data"]] == [other]
        assert listed["pagination"]["total"] == 1
        assert who.get(f"{P}/count").json() == {"count": 1}
        assert who.get(f"{P}/status/{other}").json() == {"status": "accepted", "connectionId": conn["id"]}
    assert alice.get(f"{P}/pending").json()["data"] == [] and alice.get(f"{P}/sent").json()["data"] == []


def test_reject_then_ask_again(org, P):
    alice, bob = org.member("usr_alice"), org.member("usr_bob")
    cid = ask(alice, P, "usr_bob").json()["id"]
    rejected = respond(bob, P, cid, "reject")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert alice.get(f"{P}/status/usr_bob").json() == {"status": "rejected", "connectionId": cid}
    assert [c["id"] for c in alice.get(P, params={"status": "rejected"}).json()["data"]] == [cid]
    assert_error(respond(bob, P, cid, "accept"), 409, "not_pending")
    assert_error(alice.delete(f"{P}/{cid}"), 409, "not_live")  # a rejection stays as history
    again = ask(bob, P, "usr_alice")  # after a rejection either side may ask again
    assert again.status_code == 201
    assert alice.get(f"{P}/status/usr_bob").json()["status"] == "pending_received"
    assert bob.get(f"{P}/status/usr_alice").json()["status"] == "pending_sent"


def test_crossing_request_accepts(org, P):
    alice, bob = org.member("usr_alice"), org.member("usr_bob")
    first = ask(alice, P, "usr_bob").json()
    crossing = ask(bob, P, "usr_alice")
    assert crossing.status_code == 200, crossing.text
    assert crossing.json()["id"] == first["id"] and crossing.json()["status"] == "accepted"
    assert alice.get(f"{P}/count").json() == {"count": 1}


def test_self_and_bad_input(org, P):
    alice = org.member("usr_alice", "alice@example.com")
    assert_error(ask(alice, P, "usr_alice"), 400, "self_connection")
    assert_error(ask(alice, P, "alice@example.com"), 400, "self_connection")
    assert_error(ask(alice, P, "bad id!"), 400, "invalid_id")
    assert_error(ask(alice, P, "usr_b", message="x" * 1001), 400, "validation_error")
    assert_error(ask(alice, P, "usr_b", context=["not", "an", "object"]), 400, "validation_error")
    assert_error(ask(alice, P, "usr_b", context={"blob": "x" * 5000}), 400, "context_too_large")
    assert_error(alice.put(f"{P}/con_nope/respond", {"action": "maybe"}), 400, "validation_error")
    assert_error(alice.get(P, params={"status": "weird"}), 400, "validation_error")
    assert alice.get(f"{P}/stats").json() == {"total": 0, "accepted": 0, "pending": 0, "sent": 0}


def test_remove_by_id_and_by_user(org, P):
    alice, bob, mallory = org.member("usr_alice"), org.member("usr_bob"), org.member("usr_mallory")
    cid = ask(alice, P, "usr_bob").json()["id"]
    assert_error(mallory.delete(f"{P}/{cid}"), 404, "connection_not_found")
    assert_error(mallory.put(f"{P}/{cid}/respond", {"action": "accept"}), 404, "connection_not_found")
    assert_error(alice.delete(f"{P}/con_doesnotexist"), 404, "connection_not_found")
    assert alice.delete(f"{P}/{cid}").status_code == 204          # withdraw
    assert bob.get(f"{P}/pending").json()["data"] == []
    cid = ask(alice, P, "usr_bob").json()["id"]
    respond(bob, P, cid, "accept")
    assert bob.delete(f"{P}/user/usr_alice").status_code == 204   # the other side removes
    assert alice.get(f"{P}/count").json() == {"count": 0}
    assert_error(bob.delete(f"{P}/user/usr_alice"), 404)
    assert alice.get(f"{P}/status/usr_bob").json() == {"status": "none", "connectionId": None}


def test_stats_and_accept_all(org, P):
    me = org.member("usr_me")
    for i in range(3):
        ask(org.member(f"usr_in{i}"), P, "usr_me")
    for i in range(2):
        ask(me, P, f"usr_out{i}")
    cid = ask(org.member("usr_friend"), P, "usr_me").json()["id"]
    respond(me, P, cid, "accept")
    assert me.get(f"{P}/stats").json() == {"total": 6, "accepted": 1, "pending": 3, "sent": 2}
    assert me.post(f"{P}/accept-all").json() == {"accepted": 3}
    assert me.get(f"{P}/stats").json() == {"total": 6, "accepted": 4, "pending": 0, "sent": 2}
    assert me.post(f"{P}/accept-all").json() == {"accepted": 0}
    assert org.member("usr_in0").get(f"{P}/status/usr_me").json()["status"] == "accepted"


def test_staff_and_service_act_for_a_member(org, P):
    staff, service = org.staff(), org.service()
    r = service.post(f"{P}/request", {"targetId": "usr_bob", "userId": "usr_alice"})
    assert r.status_code == 201 and r.json()["requesterId"] == "usr_alice"
    assert_error(service.post(f"{P}/request", {"targetId": "usr_bob"}), 400, "user_required")
    cid = r.json()["id"]
    assert [c["id"] for c in staff.get(f"{P}/pending", params={"userId": "usr_bob"}).json()["data"]] == [cid]
    ok = staff.put(f"{P}/{cid}/respond", {"action": "accept", "userId": "usr_bob"})
    assert ok.status_code == 200 and ok.json()["status"] == "accepted"
    assert service.get(f"{P}/count", params={"userId": "usr_alice"}).json() == {"count": 1}
    alice = org.member("usr_alice")
    assert_error(alice.get(f"{P}/count", params={"userId": "usr_bob"}), 403, "acting_user_forbidden")


def test_mutuals_on_a_known_graph(org, P, driver):
    # alice and bob share m1..m5; m6 is only alice's; m7 is bob's but pending.
    service = org.service()
    edges = [("usr_alice", f"usr_m{i}") for i in range(1, 7)] + [("usr_bob", f"usr_m{i}") for i in range(1, 6)]
    for a, b in edges:
        cid = service.post(f"{P}/request", {"targetId": b, "userId": a}).json()["id"]
        service.put(f"{P}/{cid}/respond", {"action": "accept", "userId": b})
    service.post(f"{P}/request", {"targetId": "usr_m7", "userId": "usr_bob"})
    service.post(f"{P}/request", {"targetId": "usr_m7", "userId": "usr_alice"})
    alice = org.member("usr_alice")
    page = alice.get(f"{P}/mutual/usr_bob", params={"limit": 2}).json()
    assert page["pagination"]["total"] == 5 and page["pagination"]["totalPages"] == 3
    every = [p["id"] for n in (1, 2, 3) for p in alice.get(f"{P}/mutual/usr_bob",
                                                            params={"limit": 2, "page": n}).json()["data"]]
    assert every == [f"usr_m{i}" for i in range(1, 6)]
    assert org.member("usr_bob").get(f"{P}/mutual/usr_alice").json()["pagination"]["total"] == 5
    assert alice.get(f"{P}/mutual/usr_nobody").json()["pagination"]["total"] == 0


def test_simultaneous_crossing_requests_never_make_two_live_connections(org, driver):
    P = PREFIXES[0]
    outcomes = []
    for round_ in range(25):
        a, b = org.member(f"usr_a{round_}"), org.member(f"usr_b{round_}")
        barrier = threading.Barrier(2)

        def go(pair):
            me, other = pair
            barrier.wait()
            return ask(me, P, other.sub).status_code

        with ThreadPoolExecutor(2) as pool:
            statuses = sorted(pool.map(go, [(a, b), (b, a)]))
        outcomes.append(statuses)
        assert statuses == [200, 201], statuses  # one asks, the other's request accepts it
        assert live_edges(driver, org.id, a.sub, b.sub) == 1
        assert a.get(f"{P}/count").json() == {"count": 1}


def test_double_accept_race(org, driver):
    P = PREFIXES[0]
    for round_ in range(10):
        alice, bob = org.member(f"usr_x{round_}"), org.member(f"usr_y{round_}")
        cid = ask(alice, P, bob.sub).json()["id"]
        barrier = threading.Barrier(4)

        def accept(_):
            barrier.wait()
            return respond(bob, P, cid, "accept").status_code

        with ThreadPoolExecutor(4) as pool:
            statuses = sorted(pool.map(accept, range(4)))
        assert statuses == [200, 409, 409, 409], statuses
        n = driver.execute_query("MATCH (:Event {org: $org, type: 'connection.accepted'}) RETURN count(*) AS n",
                                 org=org.id).records[0]["n"]
        assert n == round_ + 1  # exactly one accepted event per connection


def test_accept_writes_its_event_in_the_same_transaction(org, driver):
    P = PREFIXES[0]
    alice, bob = org.member("usr_alice"), org.member("usr_bob")
    cid = ask(alice, P, "usr_bob").json()["id"]
    respond(alice, P, cid, "accept")  # refused: writes no event
    respond(bob, P, cid, "accept")
    types = [r["type"] for r in driver.execute_query(
        "MATCH (e:Event {org: $org}) RETURN e.type AS type ORDER BY e.seq", org=org.id).records]
    assert types == ["connection.requested", "connection.accepted"]


def test_connections_are_per_org(org, other_org):
    P = PREFIXES[0]
    cid = ask(org.member("usr_alice"), P, "usr_bob").json()["id"]
    bob_elsewhere = other_org.member("usr_bob")
    assert_error(respond(bob_elsewhere, P, cid, "accept"), 404)
    assert bob_elsewhere.get(f"{P}/pending").json()["data"] == []
    assert org.member("usr_bob").get(f"{P}/pending").json()["pagination"]["total"] == 1


def test_mutuals_between_a_hub_and_a_member(org, neo4j_target, tmp_path):
    """Degrees ten times apart take the other plan (walk the member's side, check each
    friend against the hub): same answers, pending requests on either side excluded."""
    from .test_import import run_cli, write_csv

    fans = [f"usr_fan{i:03d}" for i in range(120)]
    rows = [["usr_hub", f, "accepted"] for f in fans]
    rows += [["usr_dave", "usr_fan001", "accepted"], ["usr_fan002", "usr_dave", "accepted"],
             ["usr_dave", "usr_fan003", "pending"],  # the hub's friend, but only asked: not mutual
             ["usr_dave", "usr_solo", "accepted"], ["usr_hub", "usr_solo", "pending"]]
    folder = tmp_path / "hub"
    folder.mkdir()
    write_csv(folder / "people.csv", ["id"], [[p] for p in ["usr_hub", "usr_dave", "usr_solo", *fans]])
    write_csv(folder / "connections.csv", ["requesterId", "targetId", "status"], rows)
    done = run_cli(neo4j_target, "import", str(folder), "--org", org.id)
    assert done.returncode == 0, done.stderr
    for me, other in (("usr_dave", "usr_hub"), ("usr_hub", "usr_dave")):
        page = org.member(me).get(f"{PREFIXES[0]}/mutual/{other}").json()
        assert [p["id"] for p in page["data"]] == ["usr_fan001", "usr_fan002"], me
        assert page["pagination"]["total"] == 2


def test_a_context_orjson_cannot_encode_still_round_trips(org):
    """Response bodies go through orjson, which refuses nesting past 254 levels and integers
    past 64 bits; such a `context` is valid JSON a member may send, and must come back."""
    deep: object = 1
    for _ in range(300):
        deep = [deep]
    context = {"deep": deep, "big": 2 ** 70}
    alice, bob = org.member("usr_alice"), org.member("usr_bob")
    sent = alice.post(f"{PREFIXES[0]}/request", {"targetId": "usr_bob", "context": context})
    assert sent.status_code == 201, sent.text
    assert sent.json()["context"] == context
    pending = bob.get(f"{PREFIXES[0]}/pending")
    assert pending.status_code == 200 and pending.json()["data"][0]["context"] == context
    events = org.service().get("/community/events")
    assert events.status_code == 200
    assert [e["payload"]["connection"]["context"] for e in events.json()["data"]] == [context]


# --- FRIEND: one property-free relationship per accepted connection -------------------------------

def friend_edges(driver, org_id: str) -> tuple[list, list]:
    """(FRIEND relationships, accepted CONNECTED), each a sorted list of (from, to) names."""
    def pairs(rel: str) -> list:
        return sorted(tuple(r.values()) for r in driver.execute_query(
            f"MATCH (a:Person {{org: $org}})-[c:{rel}]->(b) WHERE type(c) = 'FRIEND' OR c.status = 'accepted' "
            "RETURN coalesce(a.id, a.email) AS a, coalesce(b.id, b.email) AS b", org=org_id).records)
    return pairs("FRIEND"), pairs("CONNECTED")


def check_report(driver, org_id: str) -> list[str]:
    from graphsvc.ops import check

    return [f"{v.check}: {v.detail}" for v in check.run(driver, "neo4j", org_id)[1]]


def test_friend_edges_follow_every_write_path(org, driver):
    """FRIEND is kept in the same transaction as the connection by every write: accept,
    reject, a crossing request, accept-all, remove by id and by user, a block either way
    and a sign-in that folds an email placeholder (its accepted connections move, one
    with someone the member blocked goes). After each, the FRIEND set equals the accepted
    connections, direction included, and `graphsvc check` is clean."""
    P = PREFIXES[0]
    m = org.member

    def holds(step: str, want: set) -> None:
        friends, accepted = friend_edges(driver, org.id)
        assert friends == accepted == sorted(want), step
        assert check_report(driver, org.id) == [], step

    a_b = ask(m("usr_a"), P, "usr_b").json()["id"]
    assert respond(m("usr_b"), P, a_b, "accept").status_code == 200
    c_a = ask(m("usr_c"), P, "usr_a").json()["id"]
    assert respond(m("usr_a"), P, c_a, "reject").status_code == 200
    holds("accept and reject", {("usr_a", "usr_b")})
    assert ask(m("usr_d"), P, "usr_a").status_code == 201
    assert ask(m("usr_a"), P, "usr_d").json()["status"] == "accepted"
    holds("a crossing request accepts", {("usr_a", "usr_b"), ("usr_d", "usr_a")})
    for sub in ("usr_e", "usr_f", "usr_g"):
        assert ask(m(sub), P, "usr_a").status_code == 201
    assert m("usr_a").post(f"{P}/accept-all").json() == {"accepted": 3}
    holds("accept-all", {("usr_a", "usr_b"), ("usr_d", "usr_a"), ("usr_e", "usr_a"), ("usr_f", "usr_a"),
                         ("usr_g", "usr_a")})
    assert m("usr_a").delete(f"{P}/{a_b}").status_code == 204
    assert m("usr_d").delete(f"{P}/user/usr_a").status_code == 204
    holds("remove by id and by user", {("usr_e", "usr_a"), ("usr_f", "usr_a"), ("usr_g", "usr_a")})
    assert m("usr_a").post("/client/community/blocks", {"targetId": "usr_e"}).status_code == 201
    assert m("usr_f").post("/client/community/blocks", {"targetId": "usr_a"}).status_code == 201
    holds("blocks either way", {("usr_g", "usr_a")})

    # hal@example.com (a placeholder) connects with usr_g, usr_i and usr_j; usr_hal is known by
    # id and blocks usr_j: his first sign-in with that email folds the placeholder into him.
    service = org.service()
    for sub in ("usr_g", "usr_i", "usr_j"):
        cid = ask(service, P, sub, userId="hal@example.com").json()["id"]
        assert respond(m(sub), P, cid, "accept").status_code == 200
    assert m("usr_hal").post("/client/community/blocks", {"targetId": "usr_j"}).status_code == 201
    holds("the placeholder's connections", {("usr_g", "usr_a"), ("hal@example.com", "usr_g"),
                                            ("hal@example.com", "usr_i"), ("hal@example.com", "usr_j")})
    assert m("usr_hal", email="hal@example.com").get(P).status_code == 200
    holds("the sign-in folds them into the member", {("usr_g", "usr_a"), ("usr_hal", "usr_g"),
                                                     ("usr_hal", "usr_i")})


def test_check_finds_friend_edges_gone_wrong_and_repair_fixes_them(org, driver, neo4j_target):
    """A FRIEND deleted, added, reversed or doubled by hand is a friend_edges violation;
    `graphsvc check --repair` (the back-fill of a store written before FRIEND) fixes every
    one, and a second run finds nothing to do."""
    from .test_faults import graphsvc_check

    P = PREFIXES[0]
    for a, b in (("usr_a", "usr_b"), ("usr_a", "usr_c"), ("usr_d", "usr_a"), ("usr_e", "usr_a")):
        cid = ask(org.member(a), P, b).json()["id"]
        assert respond(org.member(b), P, cid, "accept").status_code == 200
    assert ask(org.member("usr_f"), P, "usr_a").status_code == 201
    whole = friend_edges(driver, org.id)
    assert whole[0] == whole[1] and len(whole[0]) == 4
    run = lambda q: driver.execute_query(q, org=org.id)  # noqa: E731
    run("MATCH (:Person {org: $org, id: 'usr_a'})-[f:FRIEND]->(:Person {id: 'usr_b'}) DELETE f")
    run("MATCH (a:Person {org: $org, id: 'usr_a'}), (f:Person {org: $org, id: 'usr_f'}) CREATE (a)-[:FRIEND]->(f)")
    run("MATCH (a:Person {org: $org, id: 'usr_a'}), (c:Person {org: $org, id: 'usr_c'}) CREATE (a)-[:FRIEND]->(c)")
    run("MATCH (d:Person {org: $org, id: 'usr_d'})-[f:FRIEND]->(a:Person {id: 'usr_a'}) "
        "DELETE f CREATE (a)-[:FRIEND]->(d)")
    found = check_report(driver, org.id)
    assert sorted(found) == ["friend_edges: from=usr_a, to=usr_b, problem=missing",
                             "friend_edges: from=usr_a, to=usr_c, problem=duplicate",
                             "friend_edges: from=usr_a, to=usr_f, problem=extra",
                             "friend_edges: from=usr_d, to=usr_a, problem=wrong_direction"], found
    broken = graphsvc_check(neo4j_target, "--org", org.id)
    assert broken.returncode == 1 and "] friend_edges: 4" in broken.stdout, broken.stdout
    fixed = graphsvc_check(neo4j_target, "--org", org.id, "--repair")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    # created usr_a->usr_b and usr_d->usr_a; deleted the second usr_a->usr_c, usr_a->usr_d and usr_a->usr_f
    assert f"[{org.id}] friend_edges: 5 FRIEND relationship(s)" in fixed.stdout, fixed.stdout
    assert friend_edges(driver, org.id) == whole
    again = graphsvc_check(neo4j_target, "--org", org.id, "--repair")
    assert again.returncode == 0 and "repaired: 0 org(s)" in again.stdout, again.stdout
