"""Posts: the audience of a post for fan-out on write, walked by cursor."""

from __future__ import annotations

import pytest

from .conftest import Org, assert_error

F = "/client/community"
A = "/community/posts/{}/audience"


def walk(staff, post: str, limit: int) -> list[dict]:
    out, cursor, pages = [], None, 0
    while True:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        resp = staff.get(A.format(post), params=params)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert len(body["data"]) <= limit
        out += body["data"]
        pages += 1
        assert pages < 100, "the walk does not end"
        cursor = body["nextCursor"]
        if cursor is None:
            return out


@pytest.fixture(scope="module")
def author(http):
    """usr_au: connections c0..c5, followers f0..f9 (c0, c1 also follow), a page with followers
    p0..p4 (f0 and c2 also follow it); blocked b0, muter m0 (a follower), a pending request."""
    org = Org(http)
    service, staff = org.service(), org.staff()
    for i in range(6):
        r = service.post("/community/connections/request", {"targetId": f"usr_c{i}", "userId": "usr_au"}).json()
        assert service.put(f"/community/connections/{r['id']}/respond",
                           {"action": "accept", "userId": f"usr_c{i}"}).status_code == 200
    for sub in [f"usr_f{i}" for i in range(10)] + ["usr_c0", "usr_c1", "usr_m0", "usr_b0"]:
        assert org.member(sub).post(f"{F}/follow", {"following": "usr_au"}).status_code == 201
    assert staff.put("/community/pages/pg_1", {"name": "P"}).status_code == 201
    for sub in [f"usr_p{i}" for i in range(5)] + ["usr_f0", "usr_c2", "usr_au"]:
        assert org.member(sub).post(f"{F}/follow", {"following": "pg_1", "followingType": "page"}).status_code == 201
    assert org.member("usr_au").post(f"{F}/blocks", {"targetId": "usr_b0"}).status_code == 201
    assert org.member("usr_m0").post(f"{F}/mutes", {"targetId": "usr_au"}).status_code == 201
    assert org.member("usr_au").put(f"{F}/settings", {"protected": True}).status_code == 200
    assert org.member("usr_pending").post(f"{F}/follow", {"following": "usr_au"}).status_code == 202
    # The author's own mutes do not matter.
    assert org.member("usr_au").post(f"{F}/mutes", {"targetId": "usr_f9"}).status_code == 201
    for vis in ("public", "followers", "connections", "private"):
        assert staff.put(f"/community/posts/p_{vis}", {"authorId": "usr_au", "visibility": vis,
                                                      "pageId": "pg_1"}).status_code == 201
    return staff


def expected(vis: str) -> dict[str, str]:
    if vis == "private":
        return {}
    want = {f"usr_c{i}": "connection" for i in range(6)}
    if vis == "connections":
        return want
    want.update({f"usr_f{i}": "follower" for i in range(10)})
    want.update({f"usr_p{i}": "page_follower" for i in range(5)})
    return want


@pytest.mark.parametrize("vis", ["public", "followers", "connections", "private"])
@pytest.mark.parametrize("limit", [1, 3, 1000])
def test_the_walk_lists_the_whole_audience_once(author, vis, limit):
    got = walk(author, f"p_{vis}", limit)
    ids = [m["userId"] for m in got]
    assert len(ids) == len(set(ids)), "someone was listed twice"
    assert {m["userId"]: m["reason"] for m in got} == expected(vis)


def test_a_walk_holds_while_people_come_and_go(author):
    """Items that exist throughout the walk are listed exactly once even as others change.
    (It changes the author's org, so it runs after the walks above.)"""
    org = Org(author.http)
    org.id = author.org
    first = author.get(A.format("p_public"), params={"limit": 5}).json()
    seen = [m["userId"] for m in first["data"]]
    for i in range(5):
        assert org.member(f"usr_new{i}").post(f"{F}/follow", {"following": "usr_au"}).status_code in (201, 202)
    assert org.member("usr_f3").delete(f"{F}/follow/usr_au").status_code == 204
    cursor = first["nextCursor"]
    while cursor:
        body = author.get(A.format("p_public"), params={"limit": 5, "cursor": cursor}).json()
        seen += [m["userId"] for m in body["data"]]
        cursor = body["nextCursor"]
    assert len(seen) == len(set(seen))
    stable = set(expected("public")) - {"usr_f3"}
    assert stable <= set(seen)


def test_bad_input(author, other_org):
    org = Org(author.http)
    org.id = author.org
    assert_error(author.get(A.format("p_missing")), 404, "post_not_found")
    assert_error(author.get(A.format("p_public"), params={"limit": 0}), 400)
    assert_error(author.get(A.format("p_public"), params={"limit": 1001}), 400)
    assert_error(author.get(A.format("p_public"), params={"cursor": "not a cursor!"}), 400, "bad_cursor")
    cursor = author.get(A.format("p_public"), params={"limit": 1}).json()["nextCursor"]
    assert_error(author.get(A.format("p_followers"), params={"cursor": cursor}), 400, "bad_cursor")
    assert_error(other_org.staff().get(A.format("p_public"), params={"cursor": cursor}), 400, "bad_cursor")
    assert_error(org.member("usr_c0").get(A.format("p_public")), 403)


def test_audience_and_visibility_match_an_oracle_on_a_random_graph(org, neo4j_target, tmp_path):
    """A generated graph with protected members, pending follows, rejected and pending
    connections, blocks, mutes and page posts: the audience of every post, and the verdict
    of every (viewer, post), equal a plain Python reading of CONTRACT.md's rules. No pending
    follow grants anything."""
    import random

    from .test_import import run_cli, write_csv

    rng = random.Random(7)
    people = [f"usr_{i:02d}" for i in range(40)]
    pages = [f"pg_{i}" for i in range(3)]
    protected = set(rng.sample(people, 8))
    pairs = set()
    while len(pairs) < 90:
        a, b = rng.sample(people, 2)
        if (b, a) not in pairs:
            pairs.add((a, b))
    conns = {pair: rng.choice(["accepted", "accepted", "pending", "rejected"]) for pair in pairs}
    follows = set()
    while len(follows) < 160:
        a, b = rng.sample(people, 2)
        follows.add((a, b))
    page_follows = {(rng.choice(people), rng.choice(pages)) for _ in range(40)}
    blocks = set()
    while len(blocks) < 6:
        blocks.add(tuple(rng.sample(people, 2)))
    posts = {f"post_{i:02d}": (rng.choice(people), rng.choice(["public", "followers", "connections", "private"]),
                               rng.choice(pages + [None, None])) for i in range(30)}

    folder = tmp_path / "oracle"
    folder.mkdir()
    write_csv(folder / "people.csv", ["id", "protected"], [[p, "true" if p in protected else ""] for p in people])
    write_csv(folder / "pages.csv", ["id", "name"], [[g, g] for g in pages])
    write_csv(folder / "follows.csv", ["followerId", "followingId", "followingType", "status"],
              [[a, b, "person", "pending" if b in protected else "active"] for a, b in sorted(follows)]
              + [[a, g, "page", "active"] for a, g in sorted(page_follows)])
    write_csv(folder / "connections.csv", ["requesterId", "targetId", "status"],
              [[a, b, s] for (a, b), s in sorted(conns.items())])
    write_csv(folder / "blocks.csv", ["blockerId", "blockedId"], sorted(blocks))
    write_csv(folder / "posts.csv", ["id", "authorId", "visibility", "pageId"],
              [[pid, a, v, g or ""] for pid, (a, v, g) in sorted(posts.items())])
    result = run_cli(neo4j_target, "import", "--org", org.id, str(folder))
    assert result.returncode == 0, result.stdout + result.stderr
    mutes = set()
    while len(mutes) < 10:
        mutes.add(tuple(rng.sample(people, 2)))
    for a, b in mutes:
        assert org.member(a).post(f"{F}/mutes", {"targetId": b}).status_code == 201

    # The oracle: a block removes follows both ways and every connection between the two.
    blocked = {frozenset(b) for b in blocks}
    friends = {frozenset(p) for p, s in conns.items() if s == "accepted" and frozenset(p) not in blocked}
    active = {(a, b) for a, b in follows if b not in protected and frozenset((a, b)) not in blocked}

    def audience(post: str) -> dict[str, str]:
        author, vis, page = posts[post]
        if vis == "private":
            return {}
        out: dict[str, str] = {}
        shut = {author} | {p for p in people if frozenset((p, author)) in blocked} | {a for a, b in mutes if b == author}
        for p in people:
            if p in shut:
                continue
            if frozenset((p, author)) in friends:
                out[p] = "connection"
            elif vis != "connections" and (p, author) in active:
                out[p] = "follower"
            elif vis != "connections" and page and (p, page) in page_follows:
                out[p] = "page_follower"
        return out

    def verdict(viewer: str, post: str) -> tuple[bool, str]:
        author, vis, page = posts[post]
        if viewer == author:
            return True, "author"
        if frozenset((viewer, author)) in blocked:
            return False, "blocked"
        if vis in ("public", "private"):
            return vis == "public", vis
        if frozenset((viewer, author)) in friends:
            return True, "connection"
        if vis == "connections":
            return False, "not_connected"
        if (viewer, author) in active:
            return True, "follower"
        if page and (viewer, page) in page_follows:
            return True, "page_follower"
        return False, "not_follower"

    staff = org.staff()
    for post in posts:
        got = {m["userId"]: m["reason"] for m in walk(staff, post, 7)}
        assert got == audience(post), post
    ids = sorted(posts)
    for viewer in people:
        results = staff.post("/community/visibility", {"viewerId": viewer, "postIds": ids}).json()["results"]
        for r in results:
            want = verdict(viewer, r["postId"])
            assert (r["visible"], r["reason"]) == want, (viewer, r["postId"])
            assert r["muted"] == ((viewer, posts[r["postId"]][0]) in mutes), (viewer, r["postId"])
