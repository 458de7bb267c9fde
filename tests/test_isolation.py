"""Tenant isolation as a property: two orgs get random interleaved operations (follows,
unfollows, page follows, connection requests and accepts), some by people with the
SAME user ids in both orgs. Afterwards no response for one org contains an id, email
or page of the other, and every count equals what that org's own operations imply.
"""

from __future__ import annotations

import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import Caller, Org

SHARED = ["usr_s0", "usr_s1"]  # the same user ids in both orgs
KINDS = ["follow", "follow_page", "unfollow", "request", "accept"]

ops = st.lists(st.tuples(st.integers(0, 1), st.integers(0, 3), st.sampled_from(KINDS), st.integers(0, 3)),
               min_size=1, max_size=14)


class Tenant:
    """One org, its members, and a model of what its own operations did."""

    def __init__(self, org: Org):
        self.org = org
        self.tag = org.id.rsplit("-", 1)[1]
        self.names = SHARED + [f"usr_{self.tag}_{i}" for i in range(2)]
        self.emails = {n: f"{n}@{self.tag}.example" for n in self.names}
        self.pages = ["pg_shared", f"pg_{self.tag}"]
        self.follows: set[tuple[str, str]] = set()
        self.pending: dict[tuple[str, str], str] = {}  # (requester, target) -> connection id
        self.accepted: set[frozenset] = set()

    def member(self, name: str) -> Caller:
        return self.org.member(name, self.emails[name])

    def own_strings(self) -> set[str]:
        """What only this org may ever show: its own-named people, their emails, its page."""
        return {*self.names[2:], *self.emails.values(), self.pages[1], self.org.id}

    def apply(self, kind: str, me: str, other: str) -> None:
        caller = self.member(me)
        if kind == "follow" and me != other:
            resp = caller.post("/client/community/follow", {"following": other})
            assert resp.status_code == (200 if (me, other) in self.follows else 201), resp.text
            self.follows.add((me, other))
        elif kind == "follow_page":
            page = self.pages[len(other) % 2]
            resp = caller.post("/client/community/follow", {"following": page, "followingType": "page"})
            assert resp.status_code == (200 if (me, page) in self.follows else 201), resp.text
            self.follows.add((me, page))
        elif kind == "unfollow":
            target = next((t for m, t in sorted(self.follows) if m == me), other)
            resp = caller.delete(f"/client/community/follow/{target}")
            assert resp.status_code == (204 if (me, target) in self.follows else 404), resp.text
            self.follows.discard((me, target))
        elif kind == "request" and me != other:
            resp = caller.post("/client/community/connections/request", {"targetId": other})
            if frozenset((me, other)) in self.accepted or (me, other) in self.pending:
                assert resp.status_code == 409, resp.text
            elif (other, me) in self.pending:
                assert resp.status_code == 200, resp.text
                del self.pending[(other, me)]
                self.accepted.add(frozenset((me, other)))
            else:
                assert resp.status_code == 201, resp.text
                self.pending[(me, other)] = resp.json()["id"]
        elif kind == "accept":
            mine = sorted((r, t) for r, t in self.pending if t == me)
            if mine:
                cid = self.pending.pop(mine[0])
                resp = caller.put(f"/client/community/connections/{cid}/respond", {"action": "accept"})
                assert resp.status_code == 200, resp.text
                self.accepted.add(frozenset(mine[0]))

    def verify(self, foreign: set[str]) -> None:
        staff = self.org.staff()
        for name in self.names:
            caller = self.member(name)
            answers = {
                "followers": caller.get("/client/community/followers", params={"limit": 100}),
                "following": caller.get("/client/community/following", params={"limit": 100}),
                "follow_stats": caller.get("/client/community/follow/stats"),
                "connections": caller.get("/client/community/connections", params={"limit": 100}),
                "pending": caller.get("/client/community/connections/pending", params={"limit": 100}),
                "sent": caller.get("/client/community/connections/sent", params={"limit": 100}),
                "connection_stats": caller.get("/client/community/connections/stats"),
            }
            for what, resp in answers.items():
                assert resp.status_code == 200, (what, resp.text)
                leaked = {s for s in foreign if s in resp.text}
                assert not leaked, (self.org.id, name, what, leaked, resp.text)
            followers = {m for m, t in self.follows if t == name}
            following = {t for m, t in self.follows if m == name}
            assert {f["id"] for f in answers["followers"].json()["data"]} == followers
            assert {f["id"] for f in answers["following"].json()["data"]} == following
            assert answers["follow_stats"].json() == {"followers": len(followers), "following": len(following)}
            accepted = {next(iter(p - {name})) for p in self.accepted if name in p}
            received = {r for r, t in self.pending if t == name}
            sent = {t for r, t in self.pending if r == name}
            assert {c["user"]["id"] for c in answers["connections"].json()["data"]} == accepted
            assert {c["requesterId"] for c in answers["pending"].json()["data"]} == received
            assert {c["targetId"] for c in answers["sent"].json()["data"]} == sent
            stats = answers["connection_stats"].json()
            assert (stats["accepted"], stats["pending"], stats["sent"]) == (len(accepted), len(received), len(sent))
            status = caller.get(f"/client/community/connections/status/{SHARED[0]}")
            assert status.status_code == 200 and not {s for s in foreign if s in status.text}
        for page in self.pages:
            resp = staff.get(f"/community/pages/{page}")
            assert resp.status_code == 200 and not {s for s in foreign if s in resp.text}, resp.text
            assert resp.json()["followerCount"] == sum(1 for _, t in self.follows if t == page)


@settings(max_examples=15, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(program=ops)
def test_no_response_of_one_org_shows_the_other(http, program):
    tenants = [Tenant(Org(http)), Tenant(Org(http))]
    for t in tenants:
        for page in t.pages:
            assert t.org.staff().put(f"/community/pages/{page}", {"name": f"{page} {uuid.uuid4().hex[:4]}"}
                                     ).status_code == 201
    for org_index, me, kind, other in program:
        t = tenants[org_index]
        t.apply(kind, t.names[me], t.names[other])
    tenants[0].verify(tenants[1].own_strings())
    tenants[1].verify(tenants[0].own_strings())
