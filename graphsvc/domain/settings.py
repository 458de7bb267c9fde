"""A member's settings: today whether their account is protected (followers need approval)."""

from __future__ import annotations

from ..db import S, Tx, one
from ..people import PersonRef
from .follows import approve_all
from .identity import merge_people


async def get(tx: Tx, org: str, me: PersonRef) -> dict:
    return await one(tx, S.settings.get, org=org, meId=me.id, meEmail=me.email)


async def put(tx: Tx, org: str, me: PersonRef, protected: bool) -> dict:
    """Turning protection off approves every pending follow request in the same transaction;
    turning it on leaves existing follows as they are."""
    (me_eid,) = await merge_people(tx, org, me)
    row = await one(tx, S.settings.put, org=org, me=me_eid, protected=protected)
    if row["was"] and not protected:
        await approve_all(tx, org, me_eid, me)
    return {"protected": row["protected"]}
