"""Follows: one-way, to a person (by id or email) or a page. A protected person
approves each follower: a follow to them is a pending request until they answer.

Every follow.* event names the follower as `actor` and the followed as `subject`,
whoever made the change; `payload.by` names the followed person when they approved,
rejected or removed the follow.
"""

from __future__ import annotations

from ..db import S, Tx, one, rows
from ..errors import (
    AMBIGUOUS_FOLLOWING,
    BLOCKED,
    FOLLOW_LIMIT,
    FOLLOW_REQUEST_NOT_FOUND,
    FOLLOWER_NOT_FOUND,
    NOT_FOLLOWING,
    PAGE_NOT_FOUND,
    SELF_FOLLOW,
)
from ..people import PersonRef
from . import Page, Window
from .events import emit, emit_many, event
from .identity import merge_people

# What a follow statement's refusal `outcome` answers (the transaction then rolls back).
REFUSALS = {"self": SELF_FOLLOW, "blocked": BLOCKED, "no_page": PAGE_NOT_FOUND}


def _refuse(outcome: str, max_follows: int) -> None:
    if outcome == "limit":
        raise FOLLOW_LIMIT(f"you already follow {max_follows}, the most one member may")
    if outcome in REFUSALS:
        raise REFUSALS[outcome]()


def _name(side: dict) -> str:
    return side["id"] or side["email"]


async def follow_person(tx: Tx, org: str, me: PersonRef, target: PersonRef, max_follows: int) -> dict:
    """`status` 'active', or 'pending' when the target is protected; `created` when new."""
    me_eid, target_eid = await merge_people(tx, org, me, target)
    row = await one(tx, S.follows.follow_person, org=org, me=me_eid, target=target_eid, maxFollows=max_follows)
    outcome = row["outcome"]
    _refuse(outcome, max_follows)
    if outcome == "created":
        await emit(tx, org, "follow.created", str(me), str(target), {"following": row["following"]})
    elif outcome == "requested":
        await emit(tx, org, "follow.requested", str(me), str(target), {"following": row["following"]})
    status = "pending" if outcome in ("requested", "pending") else "active"
    return {"following": row["following"], "created": outcome in ("created", "requested"), "status": status}


async def follow_page(tx: Tx, org: str, me: PersonRef, page_id: str, max_follows: int) -> dict:
    (me_eid,) = await merge_people(tx, org, me)
    row = await one(tx, S.follows.follow_page, org=org, me=me_eid, pageId=page_id, maxFollows=max_follows)
    _refuse(row["outcome"], max_follows)
    created = row["outcome"] == "created"
    if created:
        await emit(tx, org, "follow.created", str(me), page_id, {"following": row["following"]})
    return {"following": row["following"], "created": created, "status": "active"}


async def unfollow(tx: Tx, org: str, me: PersonRef, target: PersonRef, type: str | None) -> list[dict]:
    """Stop following, or withdraw one's own pending request (both are follow.deleted)."""
    (me_eid,) = await merge_people(tx, org, me)
    removed = await rows(tx, S.follows.unfollow, org=org, me=me_eid, tId=target.id, tEmail=target.email, type=type)
    if not removed:
        raise NOT_FOLLOWING()
    if len(removed) > 1:
        # A person and a page share this id and both are followed: say which (rolls back).
        raise AMBIGUOUS_FOLLOWING()
    for item in removed:
        following = {k: item[k] for k in ("type", "id", "email")}
        await emit(tx, org, "follow.deleted", str(me), item["id"] or item["email"],
                   {"following": following, "status": item["status"]})
    return removed


async def answer(tx: Tx, org: str, me: PersonRef, follower: PersonRef, action: str) -> None:
    """`me` approves or rejects `follower`'s pending request, or removes their follow or request."""
    me_eid, follower_eid = await merge_people(tx, org, me, follower)
    row = await one(tx, S.follows.answer, org=org, me=me_eid, follower=follower_eid, action=action)
    if not row:
        raise FOLLOWER_NOT_FOUND() if action == "remove" else FOLLOW_REQUEST_NOT_FOUND()
    if action == "approve":
        kind = "follow.created"
    elif action == "reject" or row["was"] == "pending":
        kind = "follow.rejected"
    else:
        kind = "follow.deleted"
    await emit(tx, org, kind, _name(row["follower"]), str(me), {"following": row["following"], "by": str(me)})


async def approve_all(tx: Tx, org: str, me_eid: str, me: PersonRef) -> int:
    """Every pending request `me` has received turns active, one follow.created each."""
    row = await one(tx, S.follows.approve_all, org=org, me=me_eid)
    await emit_many(tx, org, [event("follow.created", _name(f), str(me), {"following": row["following"], "by": str(me)})
                              for f in row["followers"]])
    return len(row["followers"])


async def followers(tx: Tx, org: str, me: PersonRef, w: Window) -> Page:
    """Who actively follows `me`."""
    row = await one(tx, S.follows.followers, org=org, meId=me.id, meEmail=me.email, skip=w.skip, limit=w.limit, after=w.after)
    return Page(row["total"], row["data"])


async def following(tx: Tx, org: str, me: PersonRef, type: str | None, status: str, w: Window) -> Page:
    """Who and what `me` follows (`type` 'person', 'page' or None) with `status` 'active' or 'pending'."""
    row = await one(tx, S.follows.following, org=org, meId=me.id, meEmail=me.email, type=type, status=status,
                    skip=w.skip, limit=w.limit, after=w.after)
    return Page(row["total"], row["data"])


async def requests(tx: Tx, org: str, me: PersonRef, w: Window) -> Page:
    """Follow requests `me` has received and not answered, newest first."""
    row = await one(tx, S.follows.requests, org=org, meId=me.id, meEmail=me.email, skip=w.skip, limit=w.limit, after=w.after)
    return Page(row["total"], row["data"])


async def familiar(tx: Tx, org: str, me: PersonRef, other: PersonRef, w: Window) -> Page:
    """The people `me` actively follows who actively follow `other`."""
    row = await one(tx, S.follows.familiar, org=org, meId=me.id, meEmail=me.email, otherId=other.id,
                    otherEmail=other.email, skip=w.skip, limit=w.limit, after=w.after)
    return Page(row["total"], row["data"])


async def stats(tx: Tx, org: str, me: PersonRef) -> dict:
    return await one(tx, S.follows.stats, org=org, meId=me.id, meEmail=me.email)
