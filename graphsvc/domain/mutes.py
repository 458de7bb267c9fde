"""Mutes: a private feed preference. Muting writes no event, is not visible to the muted
person, and changes no follow or connection; visibility verdicts report it as `muted`."""

from __future__ import annotations

from ..db import S, Tx, one
from ..errors import NOT_MUTED, SELF_MUTE
from ..people import PersonRef
from . import Page, Window
from .identity import merge_people


async def mute(tx: Tx, org: str, me: PersonRef, target: PersonRef) -> bool:
    """True when the mute is new."""
    me_eid, target_eid = await merge_people(tx, org, me, target)
    row = await one(tx, S.mutes.mute, org=org, me=me_eid, target=target_eid)
    if row["outcome"] == "self":
        raise SELF_MUTE()
    return row["outcome"] == "created"


async def unmute(tx: Tx, org: str, me: PersonRef, target: PersonRef) -> None:
    row = await one(tx, S.mutes.unmute, org=org, meId=me.id, meEmail=me.email, tId=target.id, tEmail=target.email)
    if not row:
        raise NOT_MUTED()


async def listing(tx: Tx, org: str, me: PersonRef, w: Window) -> Page:
    row = await one(tx, S.mutes.list, org=org, meId=me.id, meEmail=me.email, skip=w.skip, limit=w.limit, after=w.after)
    return Page(row["total"], row["data"])
