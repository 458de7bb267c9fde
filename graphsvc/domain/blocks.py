"""Blocks: one person shuts another out. Follows both ways and any connection or
request between them are removed in the same transaction, each with its event."""

from __future__ import annotations

from ..db import S, Tx, one
from ..errors import NOT_BLOCKED, SELF_BLOCK
from ..people import PersonRef
from . import Page, Window
from .events import emit_many, event
from .graph import refresh_tops
from .identity import merge_people
from .records import party_name, record


async def block(tx: Tx, org: str, me: PersonRef, target: PersonRef) -> bool:
    """Returns True when the block is new."""
    me_eid, target_eid = await merge_people(tx, org, me, target)
    row = await one(tx, S.blocks.block, org=org, me=me_eid, target=target_eid)
    if row["outcome"] == "self":
        raise SELF_BLOCK()
    if row["outcome"] == "exists":
        return False
    if any(c["rel"]["status"] == "accepted" for c in row["connections"]):  # a FRIEND went with it
        await refresh_tops(tx, org, [me_eid, target_eid])
    events = [event("follow.deleted", party_name(f["from"]), party_name(f["to"]), {"reason": "block", "follow": f})
              for f in row["follows"]]
    events += [event("connection.removed", str(me), str(target), {"reason": "block", "connection": record(c)})
               for c in row["connections"]]
    events.append(event("block.created", str(me), str(target), {"blocked": row["blocked"]}))
    await emit_many(tx, org, events)
    return True


async def unblock(tx: Tx, org: str, me: PersonRef, target: PersonRef) -> None:
    me_eid, target_eid = await merge_people(tx, org, me, target)
    row = await one(tx, S.blocks.unblock, org=org, me=me_eid, target=target_eid)
    if not row:
        raise NOT_BLOCKED()
    await emit_many(tx, org, [event("block.deleted", str(me), str(target), {"unblocked": row["unblocked"]})])


async def listing(tx: Tx, org: str, me: PersonRef, w: Window) -> Page:
    row = await one(tx, S.blocks.list, org=org, meId=me.id, meEmail=me.email, skip=w.skip, limit=w.limit, after=w.after)
    return Page(row["total"], row["data"])
