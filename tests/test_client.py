"""graphsvc.client against the real service and the real Neo4j: the
client is exercised end to end so that it cannot drift from the server."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from graphsvc.auth import mint
from graphsvc.client import AsyncClient, Client, EstablishedConnection, PaginatedResponse, errors
from graphsvc.client.models import Connection, ConnectionStatus, Degree, FollowOut, PageOut, Verdict, VisibilityBatch

from .conftest import ROOT, SECRET


def member(server, org, sub: str, email: str | None = None, **kw) -> Client:
    return Client(server.url, org.id, mint(SECRET, sub, org.id, "customer", email), **kw)


def service(server, org, user_id: str | None = None, **kw) -> Client:
    return Client(server.url, org.id, mint(SECRET, "svc_feed", org.id, "service"), user_id, **kw)


def staff(server, org, **kw) -> Client:
    return Client(server.url, org.id, mint(SECRET, "staff_1", org.id, "staff"), **kw)


def test_member_connection_handshake(server, org):
    alice, bob = member(server, org, "usr_alice", "alice@example.com"), member(server, org, "usr_bob")
    req = alice.users.request_connection("usr_bob", message="Hi Bob — saw your design talk.",
                                         context={"event": "figma-conf-2026"})
    assert isinstance(req, Connection)
    assert (req.status, req.requesterId, req.requesterEmail, req.targetId) == \
        ("pending", "usr_alice", "alice@example.com", "usr_bob")
    assert req.context == {"event": "figma-conf-2026"} and req.requestedAt and req.respondedAt is None
    with pytest.raises(errors.AlreadyPending) as caught:
        alice.users.request_connection("usr_bob")
    assert (caught.value.status, caught.value.code) == (409, "already_pending")
    assert isinstance(caught.value, errors.ConflictError)

    received = bob.connections.fetch_received_pending_connections()
    assert isinstance(received, PaginatedResponse) and received.pagination.total == 1
    assert [c.id for c in received.data] == [req.id] and received.data[0].user.id == "usr_alice"
    assert [c.id for c in alice.connections.fetch_sent_pending_connections().data] == [req.id]
    assert bob.users.fetch_connection_status("usr_alice") == \
        ConnectionStatus(status="pending_received", connectionId=req.id)

    with pytest.raises(errors.NotTarget):
        alice.connections.accept_connection(req.id)
    accepted = bob.connections.accept_connection(req.id)
    assert accepted.status == "accepted" and accepted.respondedAt
    with pytest.raises(errors.NotPending):
        bob.connections.decline_connection(req.id)

    listed = alice.connections.fetch_connections()
    assert all(isinstance(c, EstablishedConnection) for c in listed.data)
    assert [c.user.id for c in listed.data] == ["usr_bob"]
    assert alice.connections.fetch_connections_count().count == 1
    assert bob.connections.fetch_stats().model_dump() == {"total": 1, "accepted": 1, "pending": 0, "sent": 0}

    bob.users.remove_connection_by_user_id("usr_alice")
    assert alice.users.fetch_connection_status("usr_bob").status == "none"
    with pytest.raises(errors.ConnectionNotFound):
        bob.connections.remove_connection(req.id)


def test_service_token_acts_for_the_named_user(server, org):
    """The seed's model: a service key, with the member named on every call."""
    svc = service(server, org)
    req = svc.users.request_connection("usr_bob", acting_user_id="usr_abc123")
    assert req.requesterId == "usr_abc123"
    assert [c.id for c in svc.connections.fetch_received_pending_connections("usr_bob", page=1, limit=20).data] \
        == [req.id]
    declined = svc.connections.decline_connection(req.id, "usr_bob")
    assert declined.status == "rejected"
    assert [c.id for c in svc.connections.fetch_connections("usr_abc123", status="rejected").data] == [req.id]
    again = svc.users.request_connection("usr_abc123", acting_user_id="usr_bob")
    svc.connections.accept_connection(again.id, "usr_abc123")
    assert svc.connections.fetch_connections_count("usr_bob").count == 1
    svc.connections.remove_connection(again.id, "usr_abc123")
    assert svc.connections.fetch_connections_count("usr_bob").count == 0
    with pytest.raises(errors.UserRequired) as caught:
        svc.connections.fetch_connections()
    assert caught.value.status == 400

    # A client configured with the acting user uses the staff controller and needs no argument.
    acting = service(server, org, "usr_bob")
    assert acting._settings.prefix == "/community/connections"
    acting.users.request_connection("usr_carol")
    assert [c.user.id for c in acting.connections.fetch_sent_pending_connections().data] == ["usr_carol"]
    carol = member(server, org, "usr_carol")
    assert carol._settings.prefix == "/client/community/connections"
    assert carol.connections.accept_all().accepted == 1
    assert acting.connections.fetch_connections_count().count == 1
    # A member token may not name someone else.
    with pytest.raises(errors.ActingUserForbidden):
        carol.connections.fetch_connections("usr_bob")


def test_follows_and_pages(server, org):
    alice, admin = member(server, org, "usr_alice"), staff(server, org)
    first = alice.follows.follow("bob@example.com")
    assert isinstance(first, FollowOut) and first.created and first.following.email == "bob@example.com"
    assert alice.follows.follow("bob@example.com").created is False
    page = admin.pages.put("page-id-here", "Design Guild")
    assert isinstance(page, PageOut) and page.followerCount == 0
    assert alice.follows.follow("page-id-here", "page").created
    assert admin.pages.get("page-id-here").followerCount == 1
    assert {f.type for f in alice.follows.fetch_following().data} == {"person", "page"}
    assert [f.id for f in alice.follows.fetch_following(following_type="page").data] == ["page-id-here"]
    assert alice.follows.fetch_stats().model_dump() == {"followers": 0, "following": 2}
    bob = member(server, org, "usr_bob", "bob@example.com")
    assert [f.id for f in bob.follows.fetch_followers().data] == ["usr_alice"]
    alice.follows.unfollow("page-id-here", "page")
    with pytest.raises(errors.NotFollowing):
        alice.follows.unfollow("page-id-here", "page")
    with pytest.raises(errors.SelfFollow):
        alice.follows.follow("usr_alice")
    with pytest.raises(errors.PageNotFound):
        alice.follows.follow("no-such-page", "page")


def test_paginate_walks_every_page(server, org):
    me = member(server, org, "usr_me")
    for i in range(7):
        member(server, org, f"usr_p{i}").users.request_connection("usr_me")
    assert me.connections.accept_all().accepted == 7
    first = me.connections.fetch_connections(page=1, limit=3)
    assert (first.pagination.totalPages, first.pagination.hasMore, len(first.data)) == (3, True, 3)
    seen = [c.user.id for c in me.paginate(me.connections.fetch_connections, limit=3)]
    assert sorted(seen) == [f"usr_p{i}" for i in range(7)]
    assert list(me.paginate(me.connections.fetch_sent_pending_connections, limit=3)) == []


def test_async_client(server, org):
    async def scenario() -> None:
        token = mint(SECRET, "svc_feed", org.id, "service")
        async with AsyncClient(server.url, org.id, token, "usr_alice") as alice:
            reqs = await asyncio.gather(*(alice.users.request_connection(f"usr_a{i}") for i in range(5)))
            assert {r.status for r in reqs} == {"pending"}
            for r in reqs:
                accepted = await alice.connections.accept_connection(r.id, r.targetId)
                assert accepted.status == "accepted"
            assert (await alice.connections.fetch_connections_count()).count == 5
            ids = [c.user.id async for c in alice.paginate(alice.connections.fetch_connections, limit=2)]
            assert sorted(ids) == [f"usr_a{i}" for i in range(5)]
            with pytest.raises(errors.AlreadyConnected):
                await alice.users.request_connection("usr_a0")
            status = await alice.users.fetch_connection_status("usr_a0")
            assert status.status == "accepted"
            followed = await alice.follows.follow("usr_a1")
            assert followed.created
            await alice.users.remove_connection_by_user_id("usr_a0")
            assert (await alice.connections.fetch_connections_count()).count == 4

    asyncio.run(scenario())


def test_typed_errors_for_auth_and_input(server, org, other_org):
    with pytest.raises(errors.InvalidToken) as caught:
        Client(server.url, org.id, "not-a-jwt").follows.fetch_stats()
    assert caught.value.status == 401 and "invalid token" in caught.value.message
    expired = mint(SECRET, "usr_alice", org.id, ttl=-60)
    with pytest.raises(errors.TokenExpired):
        Client(server.url, org.id, expired).follows.fetch_stats()
    with pytest.raises(errors.OrgMismatch):
        Client(server.url, other_org.id, mint(SECRET, "usr_alice", org.id)).follows.fetch_stats()
    alice = member(server, org, "usr_alice", "alice@example.com")
    with pytest.raises(errors.SelfConnection):
        alice.users.request_connection("alice@example.com")
    with pytest.raises(errors.InvalidId):
        alice.users.request_connection("bad id!")
    with pytest.raises(errors.ContextTooLarge):
        alice.users.request_connection("usr_bob", context={"blob": "x" * 5000})
    with pytest.raises(errors.ValidationError):
        alice.connections.fetch_connections(limit=101)
    # A slash in an id could reach another route (the server decodes %2F): refused before sending.
    sent = alice.attempts
    with pytest.raises(errors.InvalidId):
        alice.connections.remove_connection("con_x/respond")
    assert alice.attempts == sent
    with pytest.raises(errors.InvalidId):  # quoted, so the server sees (and refuses) the whole value
        alice.connections.remove_connection("con_x?status=x#y")
    assert alice.attempts == sent + 1
    # Failed calls changed nothing.
    assert alice.connections.fetch_stats().total == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dead_db_server():
    """A graphsvc whose Neo4j is unreachable: every database call answers 503."""
    port, dead = _free_port(), _free_port()
    env = {**os.environ, "NEO4J_URI": f"bolt://127.0.0.1:{dead}", "NEO4J_PASSWORD": "x",
           "GRAPHSVC_JWT_SECRET": SECRET, "GRAPHSVC_DB_TIMEOUT": "0.3"}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "graphsvc.api.app:app", "--host",
                             "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            assert proc.poll() is None, "graphsvc exited"
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(20)


def _served_503s(url: str, route: str) -> float:
    for line in httpx.get(url + "/metrics").text.splitlines():
        if line.startswith("graphsvc_requests_total{") and f'route="{route}"' in line and 'status="503"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_503_is_retried_with_backoff_then_raised(dead_db_server, org):
    token = mint(SECRET, "usr_alice", org.id)
    client = Client(dead_db_server, org.id, token, retries=2, backoff=0.01)
    with pytest.raises(errors.UnavailableError) as caught:
        client.connections.fetch_connections_count()
    assert caught.value.status == 503 and caught.value.code == "database_unavailable"
    assert client.attempts == 3
    assert _served_503s(dead_db_server, "/client/community/connections/count") == 3

    async def run_async() -> int:
        async with AsyncClient(dead_db_server, org.id, token, retries=1, backoff=0.01) as aclient:
            with pytest.raises(errors.UnavailableError):
                await aclient.follows.fetch_stats()
            return aclient.attempts

    assert asyncio.run(run_async()) == 2
    assert _served_503s(dead_db_server, "/client/community/follow/stats") == 2
    # Errors that retrying cannot fix are raised at once.
    with pytest.raises(errors.InvalidToken):
        Client(dead_db_server, org.id, "nope", retries=2, backoff=0.01).follows.fetch_stats()


def test_unreachable_service_is_a_transport_error(org):
    client = Client(f"http://127.0.0.1:{_free_port()}", org.id, "t", retries=1, backoff=0.01)
    with pytest.raises(errors.TransportError):
        client.follows.fetch_stats()
    assert client.attempts == 2


def _graph_routes(http) -> set[str]:
    return set(http.get("/openapi.json").json()["paths"])


def test_visibility_blocks_and_graph(server, http, org):
    routes = _graph_routes(http)
    needed = {"/community/visibility", "/client/community/blocks", "/client/community/degree/{userId}",
              "/client/community/suggestions", "/community/posts/{postId}"}
    if not needed <= routes:
        pytest.fail(f"graph routes missing from the server: {sorted(needed - routes)}")
    svc, admin = service(server, org), staff(server, org)
    alice, bob, carol = (member(server, org, s) for s in ("usr_alice", "usr_bob", "usr_carol"))
    for a, b in (("usr_alice", "usr_bob"), ("usr_bob", "usr_carol")):
        req = svc.users.request_connection(b, acting_user_id=a)
        svc.connections.accept_connection(req.id, b)

    post = admin.posts.put("post_1", "usr_alice", "connections")
    assert post.visibility == "connections" and post.authorId == "usr_alice"
    admin.posts.put("post_2", "usr_alice", "public")
    verdict = svc.visibility.can_see("usr_bob", "post_1")
    assert isinstance(verdict, Verdict) and verdict.visible and verdict.reason == "connection"
    assert svc.visibility.can_see("usr_carol", "post_1").visible is False
    batch = svc.visibility.filter_visible("usr_carol", post_ids=["post_1", "post_2", "post_x"])
    assert isinstance(batch, VisibilityBatch)
    assert [(r.postId, r.visible) for r in batch.results] == [("post_1", False), ("post_2", True),
                                                              ("post_x", False)]
    assert batch.visible_ids() == ["post_2"]
    inline = svc.visibility.filter_visible("usr_bob", posts=[
        {"id": "ext_1", "authorId": "usr_alice", "visibility": "connections"},
        {"id": "ext_2", "authorId": "usr_carol", "visibility": "private"}])
    assert inline.visible_ids() == ["ext_1"]
    with pytest.raises(ValueError):
        svc.visibility.filter_visible("usr_bob")

    assert alice.graph.degree("usr_carol") == Degree(degree=2, path=[
        {"id": "usr_alice", "email": None}, {"id": "usr_bob", "email": None}, {"id": "usr_carol", "email": None}])
    assert alice.graph.degree("usr_nobody").degree is None
    assert alice.graph.degree("usr_carol", max_depth=1).degree is None
    with pytest.raises(errors.ValidationError):
        alice.graph.degree("usr_carol", max_depth=7)
    [suggested] = alice.graph.suggestions().data
    assert (suggested.user.id, suggested.mutualCount) == ("usr_carol", 1)
    assert [p.id for p in alice.graph.mutual("usr_carol").data] == ["usr_bob"]

    out = carol.blocks.block("usr_bob")
    assert out.created and out.blocked.id == "usr_bob"
    assert carol.blocks.block("usr_bob").created is False
    assert [b.id for b in carol.blocks.fetch_blocks().data] == ["usr_bob"]
    assert bob.connections.fetch_connections_count().count == 1  # the block removed bob-carol
    with pytest.raises(errors.Blocked):
        bob.users.request_connection("usr_carol")
    carol.blocks.unblock("usr_bob")
    assert carol.blocks.fetch_blocks().data == []


def test_protected_accounts_mutes_relationships_and_audience(server, org):
    """The calls of CONTRACT.md's "Beyond the seeds" section, through the client."""
    alice, carol = member(server, org, "usr_alice"), member(server, org, "usr_carol")
    assert carol.settings.put(True).protected is True
    assert carol.settings.get().protected is True
    pending = alice.follows.follow("usr_carol")
    assert pending.status == "pending" and pending.created is True
    assert [f.id for f in alice.follows.fetch_following(status="pending").data] == ["usr_carol"]
    assert [r.user.id for r in carol.follows.fetch_follow_requests().data] == ["usr_alice"]
    carol.follows.approve_follow_request("usr_alice")
    assert [f.id for f in carol.follows.fetch_followers().data] == ["usr_alice"]
    with pytest.raises(errors.FollowRequestNotFound):
        carol.follows.reject_follow_request("usr_alice")
    carol.follows.remove_follower("usr_alice")
    with pytest.raises(errors.FollowerNotFound):
        carol.follows.remove_follower("usr_alice")
    assert alice.mutes.mute("usr_carol").created is True
    assert [m.id for m in alice.mutes.fetch_mutes().data] == ["usr_carol"]
    rel = alice.graph.relationships(["usr_carol", "usr_nobody"]).data
    assert [(r.userId, r.muting, r.followRequested) for r in rel] == [("usr_carol", True, False),
                                                                      ("usr_nobody", False, False)]
    alice.mutes.unmute("usr_carol")
    with pytest.raises(errors.NotMuted):
        alice.mutes.unmute("usr_carol")
    assert alice.follows.fetch_familiar_followers("usr_carol").pagination.total == 0
    posts = staff(server, org)
    posts.posts.put("p_1", "usr_carol", "public")
    carol.settings.put(False)
    alice.follows.follow("usr_carol")
    page = posts.posts.audience("p_1")
    assert [(m.userId, m.reason) for m in page.data] == [("usr_alice", "follower")] and page.nextCursor is None


def test_event_feed(server, org):
    """`events.fetch_events`: the org's changes in order, filtered by type, resumed from `next`."""
    carol = member(server, org, "usr_carol")
    carol.blocks.block("usr_bob")
    carol.blocks.unblock("usr_bob")
    carol.follows.follow("usr_dan")
    feed = service(server, org).events.fetch_events(types=["block.created", "block.deleted"])
    assert [(e.type, e.actor, e.subject) for e in feed.data] == [("block.created", "usr_carol", "usr_bob"),
                                                                ("block.deleted", "usr_carol", "usr_bob")]
    rest = staff(server, org).events.fetch_events(after=feed.next)
    assert [e.type for e in rest.data] == ["follow.created"] and rest.hasMore is False
    assert all(e.cursor > feed.next for e in rest.data)
