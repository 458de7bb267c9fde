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


def test_audience_and_visibility_match_an_oracle_on_a_random_graph(org, neo4j_target, driver, tmp_path):
    """A generated graph with protected members, pending follows, rejected and pending
    connections, blocks, mutes and page posts: the audience of every post, and the verdict
    of every (viewer, post), equal a plain Python reading of CONTRACT.md's rules. No pending
    follow grants anything. The import gave every active follow its audienceKey."""
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
    assert audience_keys(driver, org.id) == []
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


# --- the audience index: every write path keeps each active follow's audienceKey -------------------

def audience_keys(driver, org_id: str) -> list[str]:
    """What `graphsvc check --org` reports for the org (nothing when every invariant holds)."""
    from graphsvc.ops import check

    _, violations = check.run(driver, "neo4j", org_id)
    return [f"{v.check}: {v.detail}" for v in violations]


def test_the_audience_follows_every_write_path(org, driver):
    """The follower sources of the audience read the follows_audience index only, so every
    change to a follow must keep its audienceKey: follow (person, page), a pending request
    and its approval, approval of the backlog, unfollow, removing a follower, a block, and a
    sign-in that claims an email placeholder or folds one into the member (the follows from
    it and to it move, and the follower's or the followed's key changes). After each, the
    audience equals the follows as the API tells them, and `graphsvc check` is clean."""
    staff, service = org.staff(), org.service()
    assert staff.put("/community/pages/pg_w", {"name": "W"}).status_code == 201
    assert org.member("usr_hal").post(f"{F}/follow", {"following": "pg_w", "followingType": "page"}).status_code == 201
    for post, author in (("w_pub", "usr_w"), ("h_pub", "usr_hal")):
        assert staff.put(f"/community/posts/{post}", {"authorId": author, "visibility": "public",
                                                      "pageId": "pg_w"}).status_code == 201
    followers: dict[str, set[str]] = {"usr_w": set(), "usr_hal": set()}
    page: set[str] = {"usr_hal"}

    def want(author: str) -> dict[str, str]:
        out = {u: "page_follower" for u in page}
        out.update({u: "follower" for u in followers[author]})
        out.pop(author, None)
        return out

    def holds(step: str) -> None:
        for post, author in (("w_pub", "usr_w"), ("h_pub", "usr_hal")):
            for limit in (2, 1000):
                got = walk(staff, post, limit)
                assert len(got) == len({m["userId"] for m in got}), (step, post)
                assert {m["userId"]: m["reason"] for m in got} == want(author), (step, post, limit)
        assert audience_keys(driver, org.id) == [], step

    def follow(who, target: str, kind: str = "person", code: int = 201, **body) -> None:
        r = who.post(f"{F}/follow", {"following": target, "followingType": kind, **body})
        assert r.status_code == code, r.text

    follow(org.member("usr_a"), "usr_w")
    follow(org.member("usr_a"), "pg_w", "page")
    follow(org.member("usr_b"), "pg_w", "page")
    followers["usr_w"].add("usr_a")
    page |= {"usr_a", "usr_b"}
    holds("follow a person and a page")

    assert org.member("usr_w").put(f"{F}/settings", {"protected": True}).status_code == 200
    for sub in ("usr_c", "usr_d", "usr_e"):
        follow(org.member(sub), "usr_w", code=202)
    holds("pending requests are no audience")
    assert org.member("usr_w").post(f"{F}/follow-requests/usr_c/approve").status_code == 204
    followers["usr_w"].add("usr_c")
    holds("one request approved")
    assert org.member("usr_w").put(f"{F}/settings", {"protected": False}).status_code == 200
    followers["usr_w"] |= {"usr_d", "usr_e"}
    holds("protection off approves the backlog")

    assert org.member("usr_a").delete(f"{F}/follow/usr_w").status_code == 204
    followers["usr_w"].discard("usr_a")
    assert org.member("usr_w").delete(f"{F}/followers/usr_d").status_code == 204
    followers["usr_w"].discard("usr_d")
    assert org.member("usr_w").post(f"{F}/blocks", {"targetId": "usr_e"}).status_code == 201
    followers["usr_w"].discard("usr_e")
    holds("unfollow, a follower removed, a block")

    # An email placeholder follows; its owner's first sign-in makes it the member (same node).
    follow(service, "usr_w", userId="fay@example.com")
    followers["usr_w"].add("fay@example.com")
    holds("a placeholder follows")
    assert org.member("usr_fay", email="fay@example.com").get(f"{F}/following").status_code == 200
    followers["usr_w"] = followers["usr_w"] - {"fay@example.com"} | {"usr_fay"}
    holds("sign-in claims the placeholder")

    # usr_gus is known by id; as gus@example.com (a second node) he follows usr_w and pg_w,
    # and usr_i follows hal@example.com: the sign-ins fold both placeholders into the members.
    follow(org.member("usr_gus"), "usr_hal")
    followers["usr_hal"].add("usr_gus")
    follow(service, "usr_w", userId="gus@example.com")
    follow(service, "pg_w", "page", userId="gus@example.com")
    followers["usr_w"].add("gus@example.com")
    page.add("gus@example.com")
    follow(org.member("usr_i"), "hal@example.com")
    holds("placeholders beside the members")
    assert org.member("usr_gus", email="gus@example.com").get(f"{F}/following").status_code == 200
    followers["usr_w"] = followers["usr_w"] - {"gus@example.com"} | {"usr_gus"}
    page = page - {"gus@example.com"} | {"usr_gus"}
    assert org.member("usr_hal", email="hal@example.com").get(f"{F}/following").status_code == 200
    followers["usr_hal"].add("usr_i")
    holds("sign-ins fold the placeholders into the members")


def test_check_repair_back_fills_the_audience_keys(org, driver, neo4j_target):
    """A store written before the key existed: the audience misses its followers, the
    checker says so, `graphsvc check --repair` back-fills every key (and takes one off a
    pending request), after which the audience is whole and a second repair finds nothing."""
    from .test_faults import graphsvc_check

    staff = org.staff()
    assert staff.put("/community/pages/pg_r", {"name": "R"}).status_code == 201
    assert staff.put("/community/posts/r_pub", {"authorId": "usr_r", "visibility": "public",
                                                "pageId": "pg_r"}).status_code == 201
    for i in range(5):
        assert org.member(f"usr_f{i}").post(f"{F}/follow", {"following": "usr_r"}).status_code == 201
        assert org.member(f"usr_g{i}").post(f"{F}/follow", {"following": "pg_r",
                                                            "followingType": "page"}).status_code == 201
    assert org.member("usr_r").put(f"{F}/settings", {"protected": True}).status_code == 200
    assert org.member("usr_pending").post(f"{F}/follow", {"following": "usr_r"}).status_code == 202
    whole = {m["userId"]: m["reason"] for m in walk(staff, "r_pub", 3)}
    assert len(whole) == 10 and "usr_pending" not in whole

    driver.execute_query("MATCH (:Person {org: $org})-[f:FOLLOWS]->() REMOVE f.audienceKey", org=org.id)
    driver.execute_query("MATCH (:Person {org: $org, id: 'usr_pending'})-[f:FOLLOWS]->() "
                         "SET f.audienceKey = $org + '|person|x|y'", org=org.id)
    assert walk(staff, "r_pub", 3) == []
    found = graphsvc_check(neo4j_target, "--org", org.id)
    assert found.returncode == 1 and "] audience_keys: 11" in found.stdout, found.stdout
    fixed = graphsvc_check(neo4j_target, "--org", org.id, "--repair")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert f"[{org.id}] audience_keys: 11 follow(s)" in fixed.stdout, fixed.stdout
    assert {m["userId"]: m["reason"] for m in walk(staff, "r_pub", 3)} == whole
    again = graphsvc_check(neo4j_target, "--org", org.id, "--repair")
    assert again.returncode == 0 and "repaired: 0 org(s)" in again.stdout, again.stdout


def test_a_post_by_email_keeps_its_author_when_the_email_is_folded_into_a_member(org: Org):
    """A post registered by the author's email, before they signed in, belongs to the member
    once a sign-in folds that email placeholder into them: the post keeps an author, and its
    audience is the member's (their follower, by id, gets it; whoever muted the email does not)."""
    staff = org.staff()
    assert staff.put("/community/posts/p_mail", {"authorId": "dan@example.com",
                                                 "visibility": "public"}).status_code == 201
    assert org.member("usr_fan").post(f"{F}/follow", {"following": "usr_dan"}).status_code == 201
    assert org.member("usr_early").post(f"{F}/follow", {"following": "dan@example.com"}).status_code == 201
    # A mute of the email is a mute of the member too.
    muter = org.member("usr_muter")
    assert muter.post(f"{F}/follow", {"following": "usr_dan"}).status_code == 201
    assert muter.post(f"{F}/mutes", {"targetId": "dan@example.com"}).status_code == 201
    # usr_dan and dan@example.com are two nodes until dan signs in with both.
    assert org.member("usr_dan", email="dan@example.com").get(f"{F}/follow/stats").json()["followers"] == 3
    assert [m["id"] for m in muter.get(f"{F}/mutes").json()["data"]] == ["usr_dan"]
    got = {m["userId"]: m["reason"] for m in walk(staff, "p_mail", 1000)}
    assert got == {"usr_fan": "follower", "usr_early": "follower"}
    # Re-registering names the member as the author: the same post, not a new one.
    r = staff.put("/community/posts/p_mail", {"authorId": "usr_dan", "visibility": "public"})
    assert r.status_code == 200, r.text
