"""Mutes: a private feed preference. Visibility verdicts carry `muted`; `visible` and
`reason` do not change; no event is written and no follow or connection changes."""

from __future__ import annotations

from .conftest import assert_error

F = "/client/community"


def test_mute_unmute_and_list(org):
    alice = org.member("usr_alice")
    first = alice.post(f"{F}/mutes", {"targetId": "usr_bob"})
    assert first.status_code == 201 and first.json() == {"muted": {"id": "usr_bob", "email": None}, "created": True}
    assert alice.post(f"{F}/mutes", {"targetId": "usr_bob"}).status_code == 200
    assert alice.post(f"{F}/mutes", {"targetId": "carol@example.com"}).status_code == 201
    listed = alice.get(f"{F}/mutes").json()
    assert listed["pagination"]["total"] == 2
    assert [(m["id"], m["email"]) for m in listed["data"]] == [(None, "carol@example.com"), ("usr_bob", None)]
    assert all(m["mutedAt"] for m in listed["data"])
    assert_error(alice.post(f"{F}/mutes", {"targetId": "usr_alice"}), 400, "self_mute")
    assert alice.delete(f"{F}/mutes/usr_bob").status_code == 204
    assert_error(alice.delete(f"{F}/mutes/usr_bob"), 404, "not_muted")
    assert_error(alice.delete(f"{F}/mutes/usr_never"), 404, "not_muted")
    # Private to the muter: the muted person sees nothing of it.
    assert org.member("usr_bob").get(f"{F}/mutes").json()["data"] == []


def test_a_mute_changes_no_follow_connection_or_event(org):
    alice, bob, staff = org.member("usr_alice"), org.member("usr_bob"), org.staff()
    assert alice.post(f"{F}/follow", {"following": "usr_bob"}).status_code == 201
    req = alice.post(f"{F}/connections/request", {"targetId": "usr_bob"}).json()
    assert bob.put(f"{F}/connections/{req['id']}/respond", {"action": "accept"}).status_code == 200
    before = staff.get("/community/events").json()["data"]
    assert alice.post(f"{F}/mutes", {"targetId": "usr_bob"}).status_code == 201
    assert alice.delete(f"{F}/mutes/usr_bob").status_code == 204
    assert alice.post(f"{F}/mutes", {"targetId": "usr_bob"}).status_code == 201
    assert staff.get("/community/events").json()["data"] == before
    assert alice.get(f"{F}/follow/stats").json()["following"] == 1
    assert alice.get(f"{F}/connections/status/usr_bob").json()["status"] == "accepted"


def test_visibility_reports_muted_without_changing_the_verdict(org):
    staff, alice = org.staff(), org.member("usr_alice")
    assert alice.post(f"{F}/follow", {"following": "usr_bob"}).status_code == 201
    for vis in ("public", "followers", "private"):
        assert staff.put(f"/community/posts/p_{vis}", {"authorId": "usr_bob", "visibility": vis}).status_code == 201
    assert staff.put("/community/posts/p_other", {"authorId": "usr_carol", "visibility": "public"}).status_code == 201

    def single(post):
        return staff.get("/community/visibility", params={"viewerId": "usr_alice", "postId": post}).json()

    before = {p: single(p) for p in ("p_public", "p_followers", "p_private", "p_other")}
    assert all(v["muted"] is False for v in before.values())
    assert alice.post(f"{F}/mutes", {"targetId": "usr_bob"}).status_code == 201
    for post, verdict in before.items():
        after = single(post)
        assert (after["visible"], after["reason"]) == (verdict["visible"], verdict["reason"]), post
        assert after["muted"] is (post != "p_other"), post
    batch = staff.post("/community/visibility", {"viewerId": "usr_alice",
                                                 "postIds": ["p_public", "p_other", "p_missing"]}).json()
    assert [(r["postId"], r["muted"]) for r in batch["results"]] == [
        ("p_public", True), ("p_other", False), ("p_missing", False)]
    inline = staff.post("/community/visibility", {"viewerId": "usr_alice", "posts": [
        {"id": "x1", "authorId": "usr_bob", "visibility": "followers"},
        {"id": "x2", "authorId": "usr_carol", "visibility": "public"}]}).json()
    assert [(r["visible"], r["reason"], r["muted"]) for r in inline["results"]] == [
        (True, "follower", True), (True, "public", False)]
