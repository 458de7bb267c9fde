"""Protected accounts and follow requests, removing a follower, familiar followers:
through the API, with the event feed and the integrity checker as a user would see them."""

from __future__ import annotations

import threading

import pytest

from .conftest import Org, assert_error

F = "/client/community"


def events(org: Org, *types: str) -> list[dict]:
    body = org.staff().get("/community/events", params={"type": ",".join(types)} if types else None).json()
    return [(e["type"], e["actor"], e["subject"]) for e in body["data"]]


def protect(org: Org, sub: str, on: bool = True) -> None:
    r = org.member(sub).put(f"{F}/settings", {"protected": on})
    assert r.status_code == 200 and r.json() == {"protected": on}, r.text


def test_settings_default_and_change(org):
    carol = org.member("usr_carol")
    assert carol.get(f"{F}/settings").json() == {"protected": False}
    protect(org, "usr_carol")
    assert carol.get(f"{F}/settings").json() == {"protected": True}
    assert_error(carol.put(f"{F}/settings", {"protected": "yes please"}), 400)
    assert_error(carol.put(f"{F}/settings", {"protected": True, "userId": "usr_other"}), 403, "acting_user_forbidden")


def test_follow_to_a_protected_person_is_a_pending_request_that_grants_nothing(org):
    protect(org, "usr_carol")
    alice, carol, staff = org.member("usr_alice"), org.member("usr_carol"), org.staff()
    r = alice.post(f"{F}/follow", {"following": "usr_carol"})
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "pending" and r.json()["following"]["id"] == "usr_carol"
    again = alice.post(f"{F}/follow", {"following": "usr_carol"})
    assert again.status_code == 202 and again.json()["status"] == "pending"
    # Not a follow: not listed, not counted, no visibility.
    assert carol.get(f"{F}/followers").json()["pagination"]["total"] == 0
    assert alice.get(f"{F}/following").json()["data"] == []
    pending = alice.get(f"{F}/following", params={"status": "pending"}).json()
    assert [(i["id"], i["status"]) for i in pending["data"]] == [("usr_carol", "pending")]
    assert carol.get(f"{F}/follow/stats").json() == {"followers": 0, "following": 0}
    assert alice.get(f"{F}/follow/stats").json() == {"followers": 0, "following": 0}
    staff.put("/community/posts/p_f", {"authorId": "usr_carol", "visibility": "followers"})
    verdict = staff.get("/community/visibility", params={"viewerId": "usr_alice", "postId": "p_f"}).json()
    assert verdict["visible"] is False and verdict["reason"] == "not_follower"
    inbox = carol.get(f"{F}/follow-requests").json()
    assert [i["user"]["id"] for i in inbox["data"]] == ["usr_alice"] and inbox["pagination"]["total"] == 1
    assert inbox["data"][0]["requestedAt"]
    # Exactly one follow.requested event.
    assert events(org, "follow.requested") == [("follow.requested", "usr_alice", "usr_carol")]


def test_approve_turns_the_request_into_a_follow(org):
    protect(org, "usr_carol")
    alice, carol = org.member("usr_alice"), org.member("usr_carol")
    assert alice.post(f"{F}/follow", {"following": "usr_carol"}).status_code == 202
    assert carol.post(f"{F}/follow-requests/usr_alice/approve").status_code == 204
    assert [f["id"] for f in carol.get(f"{F}/followers").json()["data"]] == ["usr_alice"]
    assert carol.get(f"{F}/follow-requests").json()["data"] == []
    assert alice.post(f"{F}/follow", {"following": "usr_carol"}).status_code == 200  # now simply following
    assert_error(carol.post(f"{F}/follow-requests/usr_alice/approve"), 404, "follow_request_not_found")
    assert_error(carol.post(f"{F}/follow-requests/usr_nobody/reject"), 404, "follow_request_not_found")
    assert events(org, "follow.requested", "follow.created") == [
        ("follow.requested", "usr_alice", "usr_carol"), ("follow.created", "usr_alice", "usr_carol")]


def test_reject_and_withdraw_delete_the_request(org):
    protect(org, "usr_carol")
    alice, bob, carol = org.member("usr_alice"), org.member("usr_bob"), org.member("usr_carol")
    assert alice.post(f"{F}/follow", {"following": "usr_carol"}).status_code == 202
    assert bob.post(f"{F}/follow", {"following": "usr_carol"}).status_code == 202
    assert carol.post(f"{F}/follow-requests/usr_alice/reject").status_code == 204
    assert bob.delete(f"{F}/follow/usr_carol").status_code == 204  # withdrawn
    assert carol.get(f"{F}/follow-requests").json()["data"] == []
    assert alice.get(f"{F}/following", params={"status": "pending"}).json()["data"] == []
    assert_error(bob.delete(f"{F}/follow/usr_carol"), 404, "not_following")
    assert events(org, "follow.rejected", "follow.deleted") == [
        ("follow.rejected", "usr_alice", "usr_carol"), ("follow.deleted", "usr_bob", "usr_carol")]


def test_turning_protection_off_approves_the_backlog_and_on_keeps_follows(org):
    alice, bob, carol, dan = (org.member(s) for s in ("usr_alice", "usr_bob", "usr_carol", "usr_dan"))
    assert dan.post(f"{F}/follow", {"following": "usr_carol"}).status_code == 201
    protect(org, "usr_carol")
    # Turning it on leaves the existing follow as it is.
    assert [f["id"] for f in carol.get(f"{F}/followers").json()["data"]] == ["usr_dan"]
    for member in (alice, bob):
        assert member.post(f"{F}/follow", {"following": "usr_carol"}).status_code == 202
    protect(org, "usr_carol", False)
    assert sorted(f["id"] for f in carol.get(f"{F}/followers").json()["data"]) == ["usr_alice", "usr_bob", "usr_dan"]
    created = [e for e in events(org, "follow.created") if e[2] == "usr_carol"]
    assert sorted(created) == [("follow.created", s, "usr_carol") for s in ("usr_alice", "usr_bob", "usr_dan")]
    # Off again, nothing pending: no new events.
    protect(org, "usr_carol", False)
    assert len([e for e in events(org, "follow.created") if e[2] == "usr_carol"]) == 3


def test_remove_a_follower_or_their_request(org):
    alice, bob, carol = org.member("usr_alice"), org.member("usr_bob"), org.member("usr_carol")
    assert alice.post(f"{F}/follow", {"following": "usr_carol"}).status_code == 201
    assert carol.delete(f"{F}/followers/usr_alice").status_code == 204
    assert carol.get(f"{F}/followers").json()["data"] == []
    assert_error(carol.delete(f"{F}/followers/usr_alice"), 404, "follower_not_found")
    protect(org, "usr_carol")
    assert bob.post(f"{F}/follow", {"following": "usr_carol"}).status_code == 202
    assert carol.delete(f"{F}/followers/usr_bob").status_code == 204
    assert carol.get(f"{F}/follow-requests").json()["data"] == []
    # Not a block: both may follow again.
    assert alice.post(f"{F}/follow", {"following": "usr_carol"}).status_code == 202
    assert events(org, "follow.deleted", "follow.rejected")[-2:] == [
        ("follow.deleted", "usr_alice", "usr_carol"), ("follow.rejected", "usr_bob", "usr_carol")]


@pytest.mark.parametrize("round_", range(10))
def test_approve_racing_a_withdraw_ends_consistent(org, round_):
    """One of them wins; the other answers 404; one event for the winner, and the graph agrees."""
    protect(org, "usr_carol")
    alice, carol = org.member("usr_alice"), org.member("usr_carol")
    assert alice.post(f"{F}/follow", {"following": "usr_carol"}).status_code == 202
    barrier, out = threading.Barrier(2), {}

    def run(name, call):
        barrier.wait()
        out[name] = call().status_code

    threads = [threading.Thread(target=run, args=("approve", lambda: carol.post(f"{F}/follow-requests/usr_alice/approve"))),
               threading.Thread(target=run, args=("withdraw", lambda: alice.delete(f"{F}/follow/usr_carol")))]
    [t.start() for t in threads]
    [t.join() for t in threads]
    followers = carol.get(f"{F}/followers").json()["data"]
    changes = [e for e in events(org, "follow.created", "follow.deleted")]
    if out == {"approve": 204, "withdraw": 204}:
        # Approved first, then unfollowed: both happened, in that order.
        assert followers == [] and [e[0] for e in changes] == ["follow.created", "follow.deleted"]
    elif out["approve"] == 204:
        assert out["withdraw"] == 404 and [f["id"] for f in followers] == ["usr_alice"]
        assert [e[0] for e in changes] == ["follow.created"]
    else:
        assert out == {"approve": 404, "withdraw": 204} and followers == []
        assert [e[0] for e in changes] == ["follow.deleted"]


def test_two_approvals_of_one_request_make_one_follow(org):
    protect(org, "usr_carol")
    alice, carol = org.member("usr_alice"), org.member("usr_carol")
    for _ in range(10):
        assert alice.post(f"{F}/follow", {"following": "usr_carol"}).status_code == 202
        barrier, codes = threading.Barrier(2), []

        def approve():
            barrier.wait()
            codes.append(carol.post(f"{F}/follow-requests/usr_alice/approve").status_code)

        threads = [threading.Thread(target=approve) for _ in range(2)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert sorted(codes) == [204, 404], codes
        assert alice.delete(f"{F}/follow/usr_carol").status_code == 204
    assert len(events(org, "follow.created")) == 10


def test_familiar_followers(org):
    me = org.member("usr_me")
    for friend in ("usr_a", "usr_b", "usr_c", "usr_d"):
        assert me.post(f"{F}/follow", {"following": friend}).status_code == 201
    for friend in ("usr_a", "usr_b", "usr_c"):
        assert org.member(friend).post(f"{F}/follow", {"following": "usr_star"}).status_code == 201
    assert org.member("usr_x").post(f"{F}/follow", {"following": "usr_star"}).status_code == 201  # I don't follow x
    protect(org, "usr_star")
    assert org.member("usr_d").post(f"{F}/follow", {"following": "usr_star"}).status_code == 202  # pending: no
    page = me.get(f"{F}/familiar-followers/usr_star", params={"limit": 2}).json()
    assert page["pagination"]["total"] == 3 and [p["id"] for p in page["data"]] == ["usr_a", "usr_b"]
    second = me.get(f"{F}/familiar-followers/usr_star", params={"limit": 2, "page": 2}).json()
    assert [p["id"] for p in second["data"]] == ["usr_c"]
    assert me.get(f"{F}/familiar-followers/usr_nobody").json()["pagination"]["total"] == 0
    assert_error(me.get(f"{F}/familiar-followers/bad%20id"), 400, "invalid_id")


def test_the_checker_agrees_with_pending_follows(org, driver, neo4j_target):
    """Pending, approved, rejected and withdrawn requests leave a graph `graphsvc check` accepts."""
    from .test_faults import graphsvc_check

    protect(org, "usr_carol")
    for sub in ("usr_a", "usr_b", "usr_c", "usr_d"):
        assert org.member(sub).post(f"{F}/follow", {"following": "usr_carol"}).status_code == 202
    carol = org.member("usr_carol")
    assert carol.post(f"{F}/follow-requests/usr_a/approve").status_code == 204
    assert carol.post(f"{F}/follow-requests/usr_b/reject").status_code == 204
    assert org.member("usr_c").delete(f"{F}/follow/usr_carol").status_code == 204
    result = graphsvc_check(neo4j_target, "--org", org.id)
    assert result.returncode == 0, result.stdout + result.stderr


def test_protection_turned_off_while_requests_arrive(org):
    """Follows racing `protected: false`: each ends as an active follow with exactly one
    follow.created, whether it came before the switch (a request, then approved) or after."""
    carol = org.member("usr_carol")
    fans = [org.member(f"usr_fan{i}") for i in range(4)]
    for round_ in range(10):
        protect(org, "usr_carol")
        barrier, codes = threading.Barrier(len(fans) + 1), []

        def follow(member):
            barrier.wait()
            codes.append(member.post(f"{F}/follow", {"following": "usr_carol"}).status_code)

        def switch():
            barrier.wait()
            codes.append(carol.put(f"{F}/settings", {"protected": False}).status_code)

        threads = [threading.Thread(target=follow, args=(f,)) for f in fans] + [threading.Thread(target=switch)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert sorted(codes)[-1] <= 202 and set(codes) <= {200, 201, 202}, codes
        assert carol.get(f"{F}/follow-requests").json()["data"] == [], round_
        assert sorted(f["id"] for f in carol.get(f"{F}/followers").json()["data"]) == [f"usr_fan{i}" for i in range(4)]
        for fan in fans:
            assert fan.delete(f"{F}/follow/usr_carol").status_code == 204
    created = [e for e in events(org, "follow.created") if e[2] == "usr_carol"]
    assert len(created) == 10 * len(fans)
