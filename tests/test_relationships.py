"""Relationships in one call: everything a profile list needs to draw its buttons."""

from __future__ import annotations

from .conftest import assert_error

F = "/client/community"
EMPTY = {"following": False, "followRequested": False, "followedBy": False, "connection": "none",
         "connectionId": None, "blocking": False, "blockedBy": False, "muting": False, "mutualConnections": 0}


def test_every_relationship_in_the_order_asked(org):
    me, service = org.member("usr_me"), org.service()

    def connect(a, b):
        r = service.post(f"/community/connections/request", {"targetId": b, "userId": a}).json()
        assert service.put(f"/community/connections/{r['id']}/respond",
                           {"action": "accept", "userId": b}).status_code == 200
        return r["id"]

    assert me.post(f"{F}/follow", {"following": "usr_fol"}).status_code == 201
    assert org.member("usr_fan").post(f"{F}/follow", {"following": "usr_me"}).status_code == 201
    assert org.member("usr_prot").put(f"{F}/settings", {"protected": True}).status_code == 200
    assert me.post(f"{F}/follow", {"following": "usr_prot"}).status_code == 202
    friend = connect("usr_me", "usr_friend")
    connect("usr_me", "usr_m1")
    connect("usr_me", "usr_m2")
    connect("usr_friend", "usr_m1")
    connect("usr_friend", "usr_m2")
    sent = me.post(f"{F}/connections/request", {"targetId": "usr_asked"}).json()["id"]
    got = org.member("usr_asker").post(f"{F}/connections/request", {"targetId": "usr_me"}).json()["id"]
    assert me.post(f"{F}/blocks", {"targetId": "usr_blocked"}).status_code == 201
    assert org.member("usr_blocker").post(f"{F}/blocks", {"targetId": "usr_me"}).status_code == 201
    assert me.post(f"{F}/mutes", {"targetId": "dan@example.com"}).status_code == 201

    ids = ["usr_fol", "usr_fan", "usr_prot", "usr_friend", "usr_asked", "usr_asker", "usr_blocked",
           "usr_blocker", "DAN@example.com", "usr_nobody", "usr_me"]
    resp = me.get(f"{F}/relationships", params={"ids": ",".join(ids)})
    assert resp.status_code == 200, resp.text
    data = resp.json()["data"]
    assert [d["userId"] for d in data] == ids
    want = {
        "usr_fol": {"following": True},
        "usr_fan": {"followedBy": True},
        "usr_prot": {"followRequested": True},
        "usr_friend": {"connection": "accepted", "connectionId": friend, "mutualConnections": 2},
        "usr_asked": {"connection": "pending_sent", "connectionId": sent},
        "usr_asker": {"connection": "pending_received", "connectionId": got},
        "usr_blocked": {"blocking": True},
        "usr_blocker": {"blockedBy": True},
        "DAN@example.com": {"muting": True},
        "usr_nobody": {},
        "usr_me": {},
    }
    for item in data:
        assert {k: v for k, v in item.items() if k != "userId"} == {**EMPTY, **want[item["userId"]]}, item


def test_limits_and_bad_ids(org):
    me = org.member("usr_me")
    assert me.get(f"{F}/relationships", params={"ids": ",".join(f"usr_{i}" for i in range(100))}).status_code == 200
    assert_error(me.get(f"{F}/relationships", params={"ids": ",".join(f"usr_{i}" for i in range(101))}), 400)
    assert_error(me.get(f"{F}/relationships", params={"ids": "usr_a,,usr_b"}), 400, "invalid_id")
    assert_error(me.get(f"{F}/relationships", params={"ids": "usr_a,not an id"}), 400, "invalid_id")
    assert_error(me.get(f"{F}/relationships"), 400)


def test_one_round_trip_for_the_whole_list(org, http):
    """One statement for 100 ids, seen in the service's own statement counter."""
    import re

    def sent() -> float:
        text = http.get("/metrics").text
        m = re.search(r'graphsvc_cypher_statements_total\{statement="relationships/get"\} ([0-9.e+]+)', text)
        return float(m.group(1)) if m else 0.0

    before = sent()
    me = org.member("usr_me")
    assert me.get(f"{F}/relationships", params={"ids": ",".join(f"usr_{i}" for i in range(100))}).status_code == 200
    assert sent() - before == 1
