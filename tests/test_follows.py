"""Follows, pages, identity, auth and tenancy through the HTTP API."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .conftest import SECRET, Caller, assert_error
from .test_pagination import walk

FOLLOWERS = "/client/community/followers"

FOLLOW = "/client/community/follow"


def follow(caller: Caller, target: str, type: str = "person"):
    return caller.post(FOLLOW, {"following": target, "followingType": type})


def ids(resp) -> list:
    return [item["id"] or item["email"] for item in resp.json()["data"]]


def test_follow_person_new_then_existing(org):
    alice = org.member("usr_alice")
    first = follow(alice, "usr_bob")
    assert first.status_code == 201, first.text
    assert first.json()["following"]["id"] == "usr_bob" and first.json()["created"] is True
    again = follow(alice, "usr_bob")
    assert again.status_code == 200 and again.json()["created"] is False
    bob = org.member("usr_bob")
    followers = bob.get("/client/community/followers").json()
    assert [f["id"] for f in followers["data"]] == ["usr_alice"]
    assert followers["pagination"] == {"page": 1, "limit": 20, "total": 1, "totalPages": 1, "hasMore": False,
                                     "nextCursor": None}
    assert alice.get("/client/community/follow/stats").json() == {"followers": 0, "following": 1}
    assert bob.get("/client/community/follow/stats").json() == {"followers": 1, "following": 0}


def test_self_follow_is_400_and_changes_nothing(org):
    alice = org.member("usr_alice", email="alice@example.com")
    assert_error(follow(alice, "usr_alice"), 400, "self_follow")
    assert_error(follow(alice, "Alice@Example.com"), 400, "self_follow")
    assert alice.get("/client/community/follow/stats").json() == {"followers": 0, "following": 0}


def test_bad_identifiers_are_400(org):
    alice = org.member("usr_alice")
    for bad in ["has space", "semi;colon", "a" * 129, "x\u0000y", "not-an@email", "@nope.io", "ü@x"]:
        assert_error(follow(alice, bad), 400)
    assert_error(alice.post(FOLLOW, {"following": "usr_b", "followingType": "group"}), 400, "validation_error")
    assert_error(alice.post(FOLLOW, {"followingType": "person"}), 400, "validation_error")
    assert_error(alice.post(FOLLOW, ["usr_b"]), 400, "validation_error")
    assert alice.get("/client/community/follow/stats").json()["following"] == 0


def test_unfollow(org):
    alice = org.member("usr_alice")
    assert_error(alice.delete(f"{FOLLOW}/usr_bob"), 404, "not_following")
    follow(alice, "usr_bob")
    assert alice.delete(f"{FOLLOW}/usr_bob").status_code == 204
    assert_error(alice.delete(f"{FOLLOW}/usr_bob"), 404, "not_following")
    assert alice.get("/client/community/following").json()["pagination"]["total"] == 0


def test_pages_and_follower_count(org):
    staff, alice, bob = org.staff(), org.member("usr_alice"), org.member("usr_bob")
    assert_error(follow(alice, "pg_design", "page"), 404, "page_not_found")
    assert_error(alice.put("/community/pages/pg_design", {"name": "Design"}), 403)
    created = staff.put("/community/pages/pg_design", {"name": "Design Guild"})
    assert created.status_code == 201 and created.json()["followerCount"] == 0
    assert staff.put("/community/pages/pg_design", {"name": "Design Guild!"}).status_code == 200
    assert follow(alice, "pg_design", "page").status_code == 201
    assert follow(alice, "pg_design", "page").status_code == 200
    assert follow(bob, "pg_design", "page").status_code == 201
    page = alice.get("/community/pages/pg_design").json()
    assert page == {**page, "id": "pg_design", "name": "Design Guild!", "followerCount": 2}
    following = alice.get("/client/community/following", params={"followingType": "page"}).json()
    assert following["data"][0] == {**following["data"][0], "type": "page", "id": "pg_design", "name": "Design Guild!"}
    assert alice.get("/client/community/following", params={"followingType": "person"}).json()["data"] == []
    assert alice.delete(f"{FOLLOW}/pg_design").status_code == 204
    assert alice.get("/community/pages/pg_design").json()["followerCount"] == 1
    assert_error(alice.get("/community/pages/pg_nope"), 404, "page_not_found")


def test_page_counter_under_concurrent_follows_and_unfollows(org, driver):
    org.staff().put("/community/pages/pg_hot", {"name": "Hot"})
    members = [org.member(f"usr_{i}") for i in range(24)]

    def churn(member: Caller) -> None:
        for _ in range(3):
            follow(member, "pg_hot", "page")
            follow(member, "pg_hot", "page")
            member.delete(f"{FOLLOW}/pg_hot")
        follow(member, "pg_hot", "page")

    with ThreadPoolExecutor(12) as pool:
        list(pool.map(churn, members + members[:8]))
    counter = members[0].get("/community/pages/pg_hot").json()["followerCount"]
    edges = driver.execute_query(
        "MATCH (:Person)-[r:FOLLOWS]->(pg:Page {org: $org, id: 'pg_hot'}) RETURN count(r) AS n", org=org.id
    ).records[0]["n"]
    assert counter == edges == 24


def test_concurrent_identical_follows_make_one_edge(org, driver):
    alice = org.member("usr_alice")
    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(r.status_code for r in pool.map(lambda _: follow(alice, "usr_bob"), range(8)))
    assert statuses == [200] * 7 + [201]
    n = driver.execute_query("MATCH (:Person {org: $org, id: 'usr_alice'})-[r:FOLLOWS]->() RETURN count(r) AS n",
                             org=org.id).records[0]["n"]
    assert n == 1


def test_follow_by_email_then_sign_in_claims_the_person(org, driver):
    alice = org.member("usr_alice")
    assert follow(alice, "Bob@Example.com").status_code == 201
    # Bob has never signed in: he is a person known by email only.
    bob = org.member("usr_bob", email="bob@example.com")
    followers = bob.get("/client/community/followers").json()
    assert [(f["id"], f["email"]) for f in followers["data"]] == [("usr_alice", None)]
    following = alice.get("/client/community/following").json()["data"]
    assert [(f["id"], f["email"]) for f in following] == [("usr_bob", "bob@example.com")]
    assert follow(alice, "usr_bob").status_code == 200  # the same person, by id now
    people = driver.execute_query("MATCH (p:Person {org: $org}) RETURN count(p) AS n", org=org.id).records[0]["n"]
    assert people == 2


def test_claim_folds_a_placeholder_into_a_known_user(org, driver):
    alice, carol = org.member("usr_alice"), org.member("usr_carol")
    follow(alice, "usr_dan")             # dan known by id
    follow(carol, "dan@example.com")     # and, separately, by email
    dan = org.member("usr_dan", email="dan@example.com")
    assert sorted(ids(dan.get("/client/community/followers"))) == ["usr_alice", "usr_carol"]
    n = driver.execute_query("MATCH (p:Person {org: $org}) WHERE p.id = 'usr_dan' OR p.email = 'dan@example.com' "
                             "RETURN count(p) AS n", org=org.id).records[0]["n"]
    assert n == 1


def test_racing_claims_never_duplicate(org, driver):
    follow(org.member("usr_alice"), "eve@example.com")
    eve = org.member("usr_eve", email="eve@example.com")
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: eve.get("/client/community/followers").status_code, range(8)))
    assert statuses == [200] * 8
    n = driver.execute_query("MATCH (p:Person {org: $org}) WHERE p.id = 'usr_eve' OR p.email = 'eve@example.com' "
                             "RETURN count(p) AS n", org=org.id).records[0]["n"]
    assert n == 1


def test_pagination(org):
    bob = org.member("usr_bob")
    for i in range(25):
        follow(org.member(f"usr_f{i:02d}"), "usr_bob")
        time.sleep(0.002)
    page1 = bob.get("/client/community/followers", params={"limit": 10}).json()
    page3 = bob.get("/client/community/followers", params={"limit": 10, "page": 3}).json()
    assert {k: v for k, v in page1["pagination"].items() if k != "nextCursor"} == {
        "page": 1, "limit": 10, "total": 25, "totalPages": 3, "hasMore": True}
    assert page1["pagination"]["nextCursor"]
    assert page3["pagination"]["hasMore"] is False and len(page3["data"]) == 5
    assert [f["id"] for f in page1["data"]][:2] == ["usr_f24", "usr_f23"]  # newest first
    every = [f["id"] for p in (1, 2, 3) for f in bob.get("/client/community/followers",
                                                            params={"limit": 10, "page": p}).json()["data"]]
    assert sorted(every) == sorted(f"usr_f{i:02d}" for i in range(25))
    for bad in ({"limit": 0}, {"limit": 101}, {"page": 0}, {"page": "x"}, {"limit": "1e9"}):
        assert_error(bob.get("/client/community/followers", params=bad), 400, "validation_error")


def test_tenants_are_isolated(org, other_org):
    a_alice, b_alice = org.member("usr_alice"), other_org.member("usr_alice")
    follow(a_alice, "usr_bob")
    org.staff().put("/community/pages/pg_1", {"name": "A's page"})
    assert other_org.member("usr_bob").get("/client/community/followers").json()["data"] == []
    assert b_alice.get("/client/community/follow/stats").json() == {"followers": 0, "following": 0}
    assert_error(b_alice.get("/community/pages/pg_1"), 404)
    assert_error(follow(b_alice, "pg_1", "page"), 404, "page_not_found")
    # A token of org A with the orgid header of org B is refused.
    assert_error(a_alice.get("/client/community/followers", headers={"orgid": other_org.id}), 403, "org_mismatch")


def test_acting_user_rules(org):
    staff, service, alice = org.staff(), org.service(), org.member("usr_alice")
    assert follow(alice, "usr_bob").status_code == 201
    assert_error(alice.get("/client/community/following", params={"userId": "usr_bob"}), 403, "acting_user_forbidden")
    assert alice.get("/client/community/following", params={"userId": "usr_alice"}).status_code == 200
    assert_error(service.get("/client/community/following"), 400, "user_required")
    as_alice = service.get("/client/community/following", params={"userId": "usr_alice"}).json()
    assert [f["id"] for f in as_alice["data"]] == ["usr_bob"]
    r = staff.post(FOLLOW, {"following": "usr_carol", "userId": "usr_alice"})
    assert r.status_code == 201
    assert alice.get("/client/community/follow/stats").json()["following"] == 2
    assert staff.get("/client/community/follow/stats").json() == {"followers": 0, "following": 0}  # acts as itself


def _token(claims: dict, key=SECRET, alg="HS256") -> str:
    return jwt.encode(claims, key, algorithm=alg)


def test_token_failure_modes(http, org):
    now = int(time.time())
    good = {"sub": "usr_alice", "org": org.id, "role": "customer", "exp": now + 60}
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = rsa_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
    cases = {
        "missing": None,
        "garbage": "not.a.jwt",
        "wrong secret": _token(good, "another-secret-of-enough-length-1234"),
        "alg none": jwt.encode(good, None, algorithm="none"),
        "expired": _token({**good, "exp": now - 120}),
        "no exp": _token({k: v for k, v in good.items() if k != "exp"}),
        "no sub": _token({k: v for k, v in good.items() if k != "sub"}),
        "no org": _token({k: v for k, v in good.items() if k != "org"}),
        "bad role": _token({**good, "role": "root"}),
        "RS256 signed": _token(good, rsa_key, "RS256"),
    }
    for name, token in cases.items():
        headers = {"orgid": org.id}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        resp = http.get("/client/community/followers", headers=headers)
        assert resp.status_code == 401, (name, resp.status_code, resp.text)
        assert resp.json()["error"]["code"] in {"unauthorized", "invalid_token", "token_expired"}, name
    other = _token({**good, "org": "some-other-org"})
    assert_error(http.get("/client/community/followers",
                          headers={"orgid": org.id, "Authorization": f"Bearer {other}"}), 403, "org_mismatch")
    ok = http.get("/client/community/followers", headers={"orgid": org.id, "Authorization": f"Bearer {_token(good)}"})
    assert ok.status_code == 200
    # The same verified token, now with another org header: still refused.
    assert_error(http.get("/client/community/followers",
                          headers={"orgid": "some-other-org", "Authorization": f"Bearer {_token(good)}"}),
                 403, "org_mismatch")


def test_a_token_that_worked_is_refused_once_it_expires(http, org):
    """Verified tokens are remembered, but their expiry is checked on every use. This token
    expired 2-3 s ago (`exp` is whole seconds), inside the 5 s leeway for clock skew: good
    for 2-3 s more."""
    expired = int(time.time()) - 2
    token = _token({"sub": "usr_alice", "org": org.id, "exp": expired})
    headers = {"orgid": org.id, "Authorization": f"Bearer {token}"}
    assert http.get("/client/community/followers", headers=headers).status_code == 200
    time.sleep(max(0.0, expired + 5.5 - time.time()))
    assert_error(http.get("/client/community/followers", headers=headers), 401, "token_expired")


def _hs256_by_hand(claims: dict, secret: bytes) -> str:
    """pyjwt refuses to sign HS256 with a PEM key; an attacker would not."""
    import base64
    import hashlib
    import hmac
    import json

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = b64(b'{"alg":"HS256","typ":"JWT"}') + "." + b64(json.dumps(claims).encode())
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(signature)


def test_rs256_option_and_algorithm_confusion(neo4j_target, org):
    """A server configured with an RS256 public key accepts RS256 tokens only: an HS256
    token signed with the public key itself (the classic confusion attack) is refused."""
    import httpx

    from .conftest import Server

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    server = Server(neo4j_target, GRAPHSVC_JWT_PUBLIC_KEY=public_pem.decode(), GRAPHSVC_JWT_SECRET="")
    try:
        claims = {"sub": "usr_alice", "org": org.id, "role": "customer", "exp": int(time.time()) + 60}
        with httpx.Client(base_url=server.url) as client:
            def call(token: str) -> httpx.Response:
                return client.get("/client/community/followers",
                                  headers={"orgid": org.id, "Authorization": f"Bearer {token}"})

            assert call(jwt.encode(claims, key, algorithm="RS256")).status_code == 200
            assert_error(call(_hs256_by_hand(claims, public_pem)), 401, "invalid_token")
            no_exp = {k: v for k, v in claims.items() if k != "exp"}
            assert_error(call(jwt.encode(no_exp, key, algorithm="RS256")), 401, "invalid_token")
            expired = {**claims, "exp": int(time.time()) - 120}
            assert_error(call(jwt.encode(expired, key, algorithm="RS256")), 401, "token_expired")
            elsewhere = {**claims, "org": "org-someone-else"}
            assert_error(call(jwt.encode(elsewhere, key, algorithm="RS256")), 403, "org_mismatch")
            forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            assert_error(call(jwt.encode(claims, forger, algorithm="RS256")), 401, "invalid_token")
            assert_error(call(_token(claims)), 401, "invalid_token")  # the HS secret means nothing here
            assert_error(call(jwt.encode(claims, None, algorithm="none")), 401, "invalid_token")
    finally:
        server.stop()


def test_analyst_cannot_act_as_member(org):
    assert_error(org.analyst().get("/client/community/followers"), 403)


def test_repeated_acting_user_is_refused(org):
    service = org.service()
    r = service.get("/client/community/following", params=[("userId", "usr_a"), ("userId", "usr_b")])
    assert_error(r, 400, "repeated_parameter")


def test_deeply_nested_json_is_400_not_500(org):
    alice = org.member("usr_alice")
    r = alice.post(FOLLOW, content=b"[" * 5000, headers={"content-type": "application/json"})
    assert_error(r, 400, "invalid_json")


def test_staff_user_id_in_the_query_counts_on_writes(org):
    staff, service = org.staff(), org.service()
    r = staff.post(FOLLOW, {"following": "usr_bob"}, params={"userId": "usr_alice"})
    assert r.status_code == 201
    assert org.member("usr_alice").get("/client/community/follow/stats").json()["following"] == 1
    assert staff.get("/client/community/follow/stats").json()["following"] == 0
    assert service.post(FOLLOW, {"following": "usr_carol"}, params={"userId": "usr_alice"}).status_code == 201
    clash = staff.post(FOLLOW, {"following": "usr_dan", "userId": "usr_alice"}, params={"userId": "usr_eve"})
    assert_error(clash, 400, "user_conflict")


def test_member_naming_itself_by_email_in_any_case(org):
    alice = org.member("usr_alice", email="alice@example.com")
    assert alice.get("/client/community/following", params={"userId": "Alice@Example.COM"}).status_code == 200


def test_unfollow_of_an_id_shared_by_a_person_and_a_page(org):
    org.staff().put("/community/pages/dup", {"name": "Dup"})
    alice = org.member("usr_alice")
    assert follow(alice, "dup").status_code == 201
    assert follow(alice, "dup", "page").status_code == 201
    assert_error(alice.delete(f"{FOLLOW}/dup"), 409, "ambiguous_following")
    assert alice.get("/client/community/follow/stats").json()["following"] == 2  # nothing changed
    assert alice.delete(f"{FOLLOW}/dup", params={"followingType": "page"}).status_code == 204
    assert alice.get("/community/pages/dup").json()["followerCount"] == 0
    assert alice.delete(f"{FOLLOW}/dup").status_code == 204
    assert alice.get("/client/community/follow/stats").json()["following"] == 0


CONN = "/client/community/connections"


def events_after(staff: Caller, cursor: int) -> list[dict]:
    r = staff.get("/community/events", params={"after": cursor, "limit": 1000})
    assert r.status_code == 200, r.text
    return r.json()["data"]


def latest_cursor(staff: Caller) -> int:
    return max([e["cursor"] for e in events_after(staff, 0)], default=0)


def integrity(driver, org_id: str) -> list[str]:
    """What `graphsvc check --org` reports for this org (nothing when every invariant holds)."""
    from graphsvc.ops import check

    _, violations = check.run(driver, "neo4j", org_id)
    return [f"{v.check}: {v.detail}" for v in violations]


def test_sign_in_merge_removes_duplicates_with_their_events(org, driver):
    """Before X ever signs in, Carol asks X to connect by id and by email and Dan follows X
    both ways: two people in the graph. X's first sign-in folds them into one; each duplicate
    edge the fold removes gets its event (reason "merge"), so the feed agrees with the graph."""
    carol, dan, staff = org.member("usr_carol"), org.member("usr_dan"), org.staff()
    by_id = carol.post(f"{CONN}/request", {"targetId": "usr_x"}).json()
    by_email = carol.post(f"{CONN}/request", {"targetId": "X@example.com"}).json()
    assert by_id["id"] != by_email["id"]
    assert [follow(dan, "usr_x").status_code, follow(dan, "x@example.com").status_code] == [201, 201]
    assert carol.get(f"{CONN}/stats").json()["sent"] == 2
    cursor = latest_cursor(staff)

    x = org.member("usr_x", email="x@example.com")
    assert ids(x.get("/client/community/followers")) == ["usr_dan"]
    assert [c["id"] for c in x.get(f"{CONN}/pending").json()["data"]] == [by_id["id"]]
    assert x.get("/client/community/follow/stats").json() == {"followers": 1, "following": 0}
    assert carol.get(f"{CONN}/stats").json()["sent"] == 1
    assert dan.get("/client/community/follow/stats").json()["following"] == 1

    derived = [(e["type"], e["actor"], e["subject"], e["payload"].get("reason")) for e in events_after(staff, cursor)]
    assert sorted(derived) == [("connection.removed", "usr_x", "usr_carol", "merge"),
                               ("follow.deleted", "usr_dan", "x@example.com", "merge")]
    removed = next(e for e in events_after(staff, cursor) if e["type"] == "connection.removed")
    assert removed["payload"]["connection"]["id"] == by_email["id"]
    assert removed["payload"]["kept"] == by_id["id"]
    assert integrity(driver, org.id) == []
    # Signing in again changes nothing and says nothing.
    assert x.get("/client/community/followers").status_code == 200
    assert len(events_after(staff, cursor)) == 2


def test_sign_in_merge_keeps_the_stronger_connection(org, driver):
    """When the two duplicates differ, the fold keeps the one further along: Carol's request
    to X's id is pending, but X's email (acted for by staff before X signed in) had already
    accepted Carol's other request; the accepted connection survives."""
    carol, staff = org.member("usr_carol"), org.staff()
    pending = carol.post(f"{CONN}/request", {"targetId": "usr_x"}).json()
    accepted = carol.post(f"{CONN}/request", {"targetId": "x@example.com"}).json()
    r = staff.put(f"/community/connections/{accepted['id']}/respond", {"action": "accept"},
                  params={"userId": "x@example.com"})
    assert r.status_code == 200, r.text
    cursor = latest_cursor(staff)

    x = org.member("usr_x", email="x@example.com")
    status = x.get(f"{CONN}/status/usr_carol").json()
    assert status == {"status": "accepted", "connectionId": accepted["id"]}
    assert x.get(f"{CONN}/count").json() == {"count": 1}
    assert x.get(f"{CONN}/pending").json()["data"] == []
    removed = [e for e in events_after(staff, cursor) if e["type"] == "connection.removed"]
    assert [(e["payload"]["connection"]["id"], e["payload"]["reason"]) for e in removed] == [(pending["id"], "merge")]
    assert integrity(driver, org.id) == []


def test_a_changed_token_email_moves_the_member_to_it(org, driver):
    """X signed in as old@; later X's token says new@. Whoever followed or invited new@ in
    between reaches X, new@ names X from then on, and old@ is released (the identity
    provider may give it to someone else)."""
    staff = org.staff()
    x_old = org.member("usr_x", email="old@example.com")
    assert x_old.get("/client/community/followers").status_code == 200
    dan, carol, erin, frank = (org.member(s) for s in ("usr_dan", "usr_carol", "usr_erin", "usr_frank"))
    assert follow(dan, "old@example.com").status_code == 201          # names X
    assert follow(carol, "new@example.com").status_code == 201        # nobody yet: a placeholder
    invite = carol.post(f"{CONN}/request", {"targetId": "new@example.com"}).json()
    cursor = latest_cursor(staff)

    x = org.member("usr_x", email="new@example.com")
    assert sorted(ids(x.get("/client/community/followers"))) == ["usr_carol", "usr_dan"]
    assert [c["id"] for c in x.get(f"{CONN}/pending").json()["data"]] == [invite["id"]]
    assert events_after(staff, cursor) == []  # nothing was removed, so nothing to say
    assert follow(erin, "new@example.com").status_code == 201
    assert follow(frank, "old@example.com").status_code == 201
    assert sorted(ids(x.get("/client/community/followers"))) == ["usr_carol", "usr_dan", "usr_erin"]
    people = driver.execute_query(
        "MATCH (p:Person {org: $org}) WHERE p.id = 'usr_x' OR p.email IN ['old@example.com', 'new@example.com'] "
        "RETURN p.id AS id, p.email AS email ORDER BY email", org=org.id).records
    assert [(p["id"], p["email"]) for p in people] == [("usr_x", "new@example.com"), (None, "old@example.com")]
    assert integrity(driver, org.id) == []


def test_sign_in_merge_brings_a_block_to_bear_and_drops_self_edges(org, driver):
    """Carol blocked X's email while following and connected with X's id; X, signed in
    without an email so far, followed and invited its own email. The fold leaves Carol
    blocking X with nothing else between them, and no edge of X with itself; each
    removed edge has its event."""
    carol, staff = org.member("usr_carol"), org.staff()
    x_no_email = org.member("usr_x")
    assert follow(carol, "usr_x").status_code == 201
    conn = carol.post(f"{CONN}/request", {"targetId": "usr_x"}).json()
    assert x_no_email.put(f"{CONN}/{conn['id']}/respond", {"action": "accept"}).status_code == 200
    assert carol.post("/client/community/blocks", {"targetId": "x@example.com"}).status_code == 201
    assert follow(x_no_email, "x@example.com").status_code == 201
    self_invite = x_no_email.post(f"{CONN}/request", {"targetId": "x@example.com"}).json()
    cursor = latest_cursor(staff)

    x = org.member("usr_x", email="x@example.com")
    assert x.get("/client/community/follow/stats").json() == {"followers": 0, "following": 0}
    assert x.get(f"{CONN}/status/usr_carol").json()["status"] == "none"
    assert [b["id"] for b in carol.get("/client/community/blocks").json()["data"]] == ["usr_x"]
    assert_error(follow(x, "usr_carol"), 403, "blocked")
    derived = sorted((e["type"], e["actor"], e["subject"], e["payload"]["reason"]) for e in events_after(staff, cursor))
    assert derived == [("connection.removed", "usr_x", "usr_carol", "merge"),
                       ("connection.removed", "usr_x", "usr_x", "merge"),
                       ("follow.deleted", "usr_carol", "usr_x", "merge"),
                       ("follow.deleted", "usr_x", "x@example.com", "merge")]
    removed = {e["payload"]["connection"]["id"] for e in events_after(staff, cursor) if e["type"] == "connection.removed"}
    assert removed == {conn["id"], self_invite["id"]}
    assert integrity(driver, org.id) == []


def test_an_email_another_member_holds_stays_theirs(org, driver):
    """Y signed in with y@; X's token now claims y@ too. Y keeps it (a follow of y@ still
    reaches Y) until Y signs in with another email, and X stays as X was."""
    y = org.member("usr_y", email="y@example.com")
    assert y.get("/client/community/followers").status_code == 200
    x = org.member("usr_x", email="y@example.com")
    assert x.get("/client/community/followers").status_code == 200
    dan = org.member("usr_dan")
    assert follow(dan, "y@example.com").status_code == 201
    assert ids(y.get("/client/community/followers")) == ["usr_dan"]
    assert ids(x.get("/client/community/followers")) == []
    # Y moves to another address; X's next call takes y@ over.
    assert org.member("usr_y", email="y2@example.com").get("/client/community/followers").status_code == 200
    assert x.get("/client/community/followers").status_code == 200
    people = driver.execute_query("MATCH (p:Person {org: $org}) WHERE p.id IN ['usr_x', 'usr_y'] "
                                  "RETURN p.id AS id, p.email AS email ORDER BY id", org=org.id).records
    assert [(p["id"], p["email"]) for p in people] == [("usr_x", "y@example.com"), ("usr_y", "y2@example.com")]
    assert integrity(driver, org.id) == []


# --- the followers list from the follows_followers index -----------------------------------------------

# The order the list had before followersKey existed, read from the relationships themselves: the
# oracle for the index's order (since newest first as the datetime comparison orders it, then id).
ORACLE = ("MATCH (me:Person {org: $org, id: $id})<-[r:FOLLOWS]-(f:Person) WHERE r.status = 'active' "
          "RETURN f.id AS id, f.email AS email, toString(r.since) AS followedAt "
          "ORDER BY r.since DESC, coalesce(f.id, f.email)")


def oracle(driver, org_id: str, who: str) -> list[dict]:
    return [{"type": "person", "name": None, **r.data()}
            for r in driver.execute_query(ORACLE, org=org_id, id=who).records]


def test_followers_pages_are_since_newest_first_then_id(org, driver, neo4j_target, tmp_path):
    """Imported follows with ties in `since` (the same second; the same instant written with
    other offsets; nanoseconds), follows through the API, an email placeholder and pending
    requests: page 1, a deep offset page and cursor walks at limits 1, 3 and 100 all list
    exactly the oracle's order, and the total counts active follows only."""
    from .test_import import import_files, write_csv

    folder = tmp_path / "in"
    folder.mkdir()
    fans = [f"usr_{c}{i}" for i in range(8) for c in "zmab"]
    write_csv(folder / "people.csv", ["id", "protected"], [["usr_star", "true"], *[[f, ""] for f in fans]])
    # Before 1970 a fraction makes Neo4j's `epochSeconds` round up, hence epochMillis in the key.
    times = ["2025-03-01T10:00:00Z", "2025-03-01T12:00:00+02:00", "2025-03-01T11:00:00+01:00",
             "2025-03-01T10:00:00.000000001Z", "1969-12-31T23:58:19.5Z", "2025-03-01",
             "1969-12-31T23:58:20Z", "2025-03-01T10:00:00Z"]
    write_csv(folder / "follows.csv", ["followerId", "followingId", "followingType", "since", "status"],
              [[f, "usr_star", "person", times[i % len(times)], "pending" if i % 9 == 4 else "active"]
               for i, f in enumerate(fans)])
    import_files(neo4j_target, org.id, folder, tmp_path)
    star = org.member("usr_star")  # protected: every follow through the API is a request
    for sub in ("usr_api1", "usr_api2", "usr_late"):
        assert follow(org.member(sub), "usr_star").status_code == 202
    assert org.service().post(FOLLOW, {"following": "usr_star", "userId": "zed@example.com"}).status_code == 202
    for name in ("usr_api1", "zed@example.com", "usr_api2"):
        assert star.post(f"/client/community/follow-requests/{name}/approve").status_code == 204

    want = oracle(driver, org.id, "usr_star")
    assert len(want) == 32 - 4 + 3 and {w["followedAt"][:10] for w in want} >= {"2025-03-01", "1969-12-31"}
    first = star.get("/client/community/followers").json()
    assert first["data"] == want[:20]
    assert first["pagination"]["total"] == len(want) and first["pagination"]["totalPages"] == 2
    deep = star.get("/client/community/followers", params={"limit": 7, "page": 4}).json()
    assert deep["data"] == want[21:28] and deep["pagination"]["total"] == len(want)
    for limit in (1, 3, 100):
        assert walk(star, FOLLOWERS, limit) == want, limit
    # One instant written with three offsets: the greater offset first, as datetimes compare.
    forms = ("2025-03-01T12:00:00+02:00", "2025-03-01T11:00:00+01:00", "2025-03-01T10:00:00Z")
    same = [w["followedAt"] for w in want if w["followedAt"] in forms]
    assert same == [forms[0]] * 4 + [forms[1]] * 4 + [forms[2]] * 7


def test_a_followers_walk_holds_while_follows_are_removed_approved_or_rejected(org, driver):
    """A follower there throughout the walk is listed once; one who unfollows before the walk
    reaches them, a request rejected and a request approved mid-walk (its `since` is the
    approval, before the cursor) are not."""
    star = org.member("usr_star")
    for i in range(9):
        assert follow(org.member(f"usr_fan{i}"), "usr_star").status_code == 201
        time.sleep(0.002)
    assert star.put("/client/community/settings", {"protected": True}).status_code == 200
    for sub in ("usr_ask1", "usr_ask2"):
        assert follow(org.member(sub), "usr_star").status_code == 202
    before = [f["id"] for f in oracle(driver, org.id, "usr_star")]
    leaving = before[-2]

    def churn(n: int) -> None:
        if n == 1:
            assert org.member(leaving).delete(f"{FOLLOW}/usr_star").status_code == 204
            assert star.post("/client/community/follow-requests/usr_ask1/approve").status_code == 204
            assert star.post("/client/community/follow-requests/usr_ask2/reject").status_code == 204

    seen = [f["id"] for f in walk(star, FOLLOWERS, 2, between=churn)]
    assert seen == [i for i in before if i != leaving]
    after = [f["id"] for f in oracle(driver, org.id, "usr_star")]
    assert after[0] == "usr_ask1" and [f["id"] for f in walk(star, FOLLOWERS, 3)] == after


def test_check_repair_back_fills_the_followers_keys(org, driver, neo4j_target):
    """A store written before the key existed (or with a stale one): the followers list misses
    people, `graphsvc check` reports each edge, `--repair` sets or removes every key, after
    which the list is whole and a second repair finds nothing."""
    from .test_faults import graphsvc_check

    star = org.member("usr_star")
    for i in range(5):
        assert follow(org.member(f"usr_f{i}"), "usr_star").status_code == 201
    assert follow(org.member("usr_f0"), "usr_f1").status_code == 201
    assert org.staff().put("/community/pages/pg_k", {"name": "K"}).status_code == 201
    assert follow(org.member("usr_f0"), "pg_k", "page").status_code == 201
    assert star.put("/client/community/settings", {"protected": True}).status_code == 200
    assert follow(org.member("usr_pending"), "usr_star").status_code == 202
    whole = star.get("/client/community/followers").json()
    assert len(whole["data"]) == 5 and whole["pagination"]["total"] == 5

    q = driver.execute_query
    q("MATCH (:Person {org: $org, id: 'usr_star'})<-[r:FOLLOWS]-(f) WHERE f.id IN ['usr_f0', 'usr_f1', 'usr_f2'] "
      "REMOVE r.followersKey", org=org.id)
    q("MATCH (:Person {org: $org, id: 'usr_star'})<-[r:FOLLOWS]-(:Person {id: 'usr_f3'}) "
      "SET r.followersKey = r.followersKey + 'x'", org=org.id)
    q("MATCH (:Person {org: $org, id: 'usr_pending'})-[r:FOLLOWS]->() SET r.followersKey = 'stale'", org=org.id)
    q("MATCH (:Person {org: $org, id: 'usr_f0'})-[r:FOLLOWS]->(:Page) SET r.followersKey = 'stale'", org=org.id)
    # The total is every incoming follow less the keyed requests: 6, the request's key is stale.
    broken = star.get("/client/community/followers").json()
    assert len(broken["data"]) == 2 and broken["pagination"]["total"] == 6
    found = graphsvc_check(neo4j_target, "--org", org.id)
    assert found.returncode == 1 and "] followers_keys: 6" in found.stdout, found.stdout
    fixed = graphsvc_check(neo4j_target, "--org", org.id, "--repair")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert f"[{org.id}] followers_keys: 6 follow(s)" in fixed.stdout, fixed.stdout
    assert star.get("/client/community/followers").json() == whole
    again = graphsvc_check(neo4j_target, "--org", org.id, "--repair")
    assert again.returncode == 0 and "repaired: 0 org(s)" in again.stdout, again.stdout
