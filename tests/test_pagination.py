"""Every list by page and by cursor (CONTRACT.md, "Cursor pagination"): a cursor walk
neither skips nor repeats an item that existed throughout, even while items come and
go; a malformed cursor or one issued for another list is 400 bad_cursor."""

from __future__ import annotations

import pytest

from .conftest import Org, assert_error

F = "/client/community"


def walk(caller, path: str, limit: int, params: dict | None = None, between=None) -> list[dict]:
    """Every item of a list by cursor, calling `between(n)` after page n."""
    items, cursor, n = [], None, 0
    while True:
        query = {**(params or {}), "limit": limit, **({"cursor": cursor} if cursor else {})}
        resp = caller.get(path, params=query)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        assert {"limit", "total", "nextCursor"} <= set(body["pagination"]), body["pagination"]
        assert len(body["data"]) <= limit
        items += body["data"]
        n += 1
        assert n < 200, "the walk does not end"
        if between:
            between(n)
        cursor = body["pagination"]["nextCursor"]
        if cursor is None:
            return items


def ids(items: list[dict]) -> list[str]:
    return [i.get("id") or (i.get("user") or {}).get("id") or i.get("name") for i in items]


@pytest.fixture(scope="module")
def busy(http):
    """Built once for the module (the tests only read it): usr_me with 7 followers, 7 follows, 7 blocks, 7 mutes, 7 received and 7 sent requests,
    7 accepted connections of whom 5 are mutual with usr_other, 7 follow requests received."""
    org = Org(http)
    me, service = org.member("usr_me"), org.service()
    for i in range(7):
        assert org.member(f"usr_fan{i}").post(f"{F}/follow", {"following": "usr_me"}).status_code == 201
        assert me.post(f"{F}/follow", {"following": f"usr_idol{i}"}).status_code == 201
        assert me.post(f"{F}/blocks", {"targetId": f"usr_bad{i}"}).status_code == 201
        assert me.post(f"{F}/mutes", {"targetId": f"usr_loud{i}"}).status_code == 201
        assert org.member(f"usr_asker{i}").post(f"{F}/connections/request", {"targetId": "usr_me"}).status_code == 201
        assert me.post(f"{F}/connections/request", {"targetId": f"usr_asked{i}"}).status_code == 201
        r = service.post("/community/connections/request", {"targetId": f"usr_fr{i}", "userId": "usr_me"}).json()
        assert service.put(f"/community/connections/{r['id']}/respond",
                           {"action": "accept", "userId": f"usr_fr{i}"}).status_code == 200
        if i < 5:
            r = service.post("/community/connections/request", {"targetId": f"usr_fr{i}", "userId": "usr_other"}).json()
            assert service.put(f"/community/connections/{r['id']}/respond",
                               {"action": "accept", "userId": f"usr_fr{i}"}).status_code == 200
    return me


LISTS = [
    (f"{F}/followers", {}, 7),
    (f"{F}/following", {}, 7),
    (f"{F}/blocks", {}, 7),
    (f"{F}/mutes", {}, 7),
    (f"{F}/connections", {}, 7),
    (f"{F}/connections/pending", {}, 7),
    (f"{F}/connections/sent", {}, 7),
    (f"{F}/connections/mutual/usr_other", {}, 5),
    (f"{F}/suggestions", {}, None),
]


@pytest.mark.parametrize("path,params,count", LISTS, ids=[p for p, _, _ in LISTS])
@pytest.mark.parametrize("limit", [1, 3, 100])
def test_a_cursor_walk_lists_each_item_once_in_the_page_order(busy, path, params, count, limit):
    by_cursor = walk(busy, path, limit, params)
    by_page = busy.get(path, params={**params, "limit": 100}).json()
    assert by_cursor == by_page["data"]
    if count is not None:
        assert len(by_cursor) == count == by_page["pagination"]["total"]


@pytest.mark.parametrize("path,params,count", LISTS, ids=[p for p, _, _ in LISTS])
def test_the_last_page_the_contract_allows_is_empty_not_an_error(busy, path, params, count):
    """page=1,000,000 with limit=100 skips ~10^8 items: the statements must not size
    anything by the skip (a sort buffer of that many rows would exhaust Neo4j's memory)."""
    first = busy.get(path, params={**params, "limit": 100}).json()["pagination"]
    resp = busy.get(path, params={**params, "limit": 100, "page": 1_000_000})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["data"] == [] and body["pagination"]["hasMore"] is False, body
    assert body["pagination"]["total"] == first["total"], (first, body["pagination"])


def test_page_answers_carry_next_cursor_too(busy):
    first = busy.get(f"{F}/followers", params={"limit": 3}).json()["pagination"]
    assert first["page"] == 1 and first["hasMore"] is True and first["nextCursor"]
    rest = busy.get(f"{F}/followers", params={"limit": 3, "cursor": first["nextCursor"]}).json()
    page2 = busy.get(f"{F}/followers", params={"limit": 3, "page": 2}).json()
    assert rest["data"] == page2["data"]
    last = busy.get(f"{F}/followers", params={"limit": 3, "page": 3}).json()["pagination"]
    assert last["hasMore"] is False and last["nextCursor"] is None


def test_a_walk_holds_while_items_come_and_go(org):
    """Followers added and removed during the walk: those there throughout appear exactly once."""
    me = org.member("usr_me")
    for i in range(7):
        assert org.member(f"usr_fan{i}").post(f"{F}/follow", {"following": "usr_me"}).status_code == 201
    before = {f["id"] for f in me.get(f"{F}/followers", params={"limit": 100}).json()["data"]}
    leaving = sorted(before)[:2]

    def churn(n: int) -> None:
        if n == 1:
            for i in range(3):
                assert org.member(f"usr_late{i}").post(f"{F}/follow", {"following": "usr_me"}).status_code == 201
            for sub in leaving:
                assert org.member(sub).delete(f"{F}/follow/usr_me").status_code == 204

    seen = ids(walk(me, f"{F}/followers", 2, between=churn))
    assert len(seen) == len(set(seen)), "an item was listed twice"
    assert before - set(leaving) <= set(seen)


def test_bad_cursors_are_400(busy, other_org):
    org = Org(busy.http)
    org.id = busy.org
    cursor = busy.get(f"{F}/followers", params={"limit": 2}).json()["pagination"]["nextCursor"]
    for bad in ("x", "not-base64!", "eyJ9", "e30", "W10", "bnVsbA"):
        assert_error(busy.get(f"{F}/followers", params={"cursor": bad}), 400, "bad_cursor")
    # Another endpoint, another filter, another member, another org.
    assert_error(busy.get(f"{F}/following", params={"cursor": cursor}), 400, "bad_cursor")
    assert_error(busy.get(f"{F}/followers", params={"cursor": cursor, "limit": 2, "userId": "usr_me"}), 400,
                 "bad_cursor")
    assert_error(org.member("usr_fan0").get(f"{F}/followers", params={"cursor": cursor}), 400, "bad_cursor")
    assert_error(other_org.member("usr_me").get(f"{F}/followers", params={"cursor": cursor}), 400, "bad_cursor")
    following = busy.get(f"{F}/following", params={"limit": 2}).json()["pagination"]["nextCursor"]
    assert_error(busy.get(f"{F}/following", params={"cursor": following, "status": "pending"}), 400, "bad_cursor")
    # A different limit is fine: the position does not depend on it.
    assert busy.get(f"{F}/followers", params={"cursor": cursor, "limit": 5}).status_code == 200
    assert_error(busy.get(f"{F}/followers", params={"cursor": cursor, "page": 2}), 400, "validation_error")


def test_staff_lists_walk_by_cursor_too(org):
    staff = org.staff()
    for i in range(5):
        assert staff.put(f"/community/webhooks/wh_{i}", {"url": f"https://hooks.example.com/{i}",
                                                        "secret": "s" * 20}).status_code == 201
    hooks = walk(staff, "/community/webhooks", 2)
    assert [h["id"] for h in hooks] == [f"wh_{i}" for i in range(5)]
    reports = walk(staff, "/community/analytics", 3)
    assert [r["name"] for r in reports] == sorted(r["name"] for r in reports) and len(reports) >= 8
