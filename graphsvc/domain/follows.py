"""Follows: one-way, no approval, to a person (by id or email) or a page."""

from __future__ import annotations

from ..db import S, Tx, one, rows
from ..errors import AMBIGUOUS_FOLLOWING, BLOCKED, FOLLOW_LIMIT, NOT_FOLLOWING, PAGE_NOT_FOUND, SELF_FOLLOW
from ..people import PersonRef
from . import Page
from .events import emit
from .identity import merge_people

# What a follow statement's refusal `outcome` answers (the transaction then rolls back).
REFUSALS = {"self": SELF_FOLLOW, "blocked": BLOCKED, "no_page": PAGE_NOT_FOUND}


def _refuse(outcome: str, max_follows: int) -> None:
    if outcome == "limit":
        raise FOLLOW_LIMIT(f"you already follow {max_follows}, the most one member may")
    if outcome in REFUSALS:
        raise REFUSALS[outcome]()


async def follow_person(tx: Tx, org: str, me: PersonRef, target: PersonRef, max_follows: int) -> dict:
    me_eid, target_eid = await merge_people(tx, org, me, target)
    row = await one(tx, S.follows.follow_person, org=org, me=me_eid, target=target_eid, maxFollows=max_follows)
    _refuse(row["outcome"], max_follows)
    created = row["outcome"] == "created"
    if created:
        await emit(tx, org, "follow.created", str(me), str(target), {"following": row["following"]})
    return {"following": row["following"], "created": created}


async def follow_page(tx: Tx, org: str, me: PersonRef, page_id: str, max_follows: int) -> dict:
    (me_eid,) = await merge_people(tx, org, me)
    row = await one(tx, S.follows.follow_page, org=org, me=me_eid, pageId=page_id, maxFollows=max_follows)
    _refuse(row["outcome"], max_follows)
    created = row["outcome"] == "created"
    if created:
        await emit(tx, org, "follow.created", str(me), page_id, {"following": row["following"]})
    return {"following": row["following"], "created": created}


async def unfollow(tx: Tx, org: str, me: PersonRef, target: PersonRef, type: str | None) -> list[dict]:
    (me_eid,) = await merge_people(tx, org, me)
    removed = await rows(tx, S.follows.unfollow, org=org, me=me_eid, tId=target.id, tEmail=target.email, type=type)
    if not removed:
        raise NOT_FOLLOWING()
    if len(removed) > 1:
        # A person and a page share this id and both are followed: say which (rolls back).
        raise AMBIGUOUS_FOLLOWING()
    for item in removed:
        await emit(tx, org, "follow.deleted", str(me), item["id"] or item["email"], {"following": item})
    return removed


async def followers(tx: Tx, org: str, me: PersonRef, skip: int, limit: int) -> Page:
    """Who follows `me`."""
    row = await one(tx, S.follows.followers, org=org, meId=me.id, meEmail=me.email, skip=skip, limit=limit)
    return Page(row["total"], row["data"])


async def following(tx: Tx, org: str, me: PersonRef, type: str | None, skip: int, limit: int) -> Page:
    """Who and what `me` follows (`type` 'person', 'page' or None)."""
    row = await one(tx, S.follows.following, org=org, meId=me.id, meEmail=me.email, type=type,
                     skip=skip, limit=limit)
    return Page(row["total"], row["data"])


async def stats(tx: Tx, org: str, me: PersonRef) -> dict:
    return await one(tx, S.follows.stats, org=org, meId=me.id, meEmail=me.email)

