"""Connections: the two-way request → accept/reject handshake (seeds 000 and 004).

Every write about a pair of people first write-locks both of them in a fixed
order (identity/merge_people or connections/lock_pair), then re-reads the state
and changes it, all in one transaction. Two crossing requests therefore meet in
order, a double accept finds the first one done, and the `connection_live`
uniqueness constraint backs it all up in the database itself.
"""

from __future__ import annotations

import json

from ..db import S, Tx, one, rows
from ..errors import (
    ALREADY_CONNECTED,
    ALREADY_PENDING,
    BLOCKED,
    CONNECTION_NOT_FOUND,
    NOT_LIVE,
    NOT_PENDING,
    NOT_TARGET,
    PENDING_LIMIT,
    SELF_CONNECTION,
)
from ..people import PersonRef
from . import Page, Window
from .events import emit, emit_many, event
from .graph import refresh_tops
from .identity import merge_people
from .records import party_name, record

# What each statement's refusal `outcome` answers (the transaction then rolls back).
REQUEST_REFUSALS = {"self": SELF_CONNECTION, "blocked": BLOCKED, "connected": ALREADY_CONNECTED,
                    "pending": ALREADY_PENDING}
RESPOND_REFUSALS = {"not_found": CONNECTION_NOT_FOUND, "not_target": NOT_TARGET}
REMOVE_REFUSALS = {"not_found": CONNECTION_NOT_FOUND, "not_live": NOT_LIVE}


async def request(tx: Tx, org: str, me: PersonRef, target: PersonRef, message: str | None,
                  context: dict | None, max_pending: int) -> tuple[str, dict]:
    """Returns ('created' | 'accepted', record)."""
    me_eid, target_eid = await merge_people(tx, org, me, target)
    row = await one(tx, S.connections.request, org=org, me=me_eid, target=target_eid, message=message,
                    context=json.dumps(context, separators=(",", ":")) if context is not None else None,
                    maxPending=max_pending)
    outcome = row["outcome"]
    if outcome == "limit":
        raise PENDING_LIMIT(f"you already have {max_pending} requests waiting for an answer")
    if outcome in REQUEST_REFUSALS:
        raise REQUEST_REFUSALS[outcome]()
    if outcome == "accept":
        await refresh_tops(tx, org, [me_eid, target_eid])
    conn = record(row["connection"])
    kind = "connection.requested" if outcome == "created" else "connection.accepted"
    await emit(tx, org, kind, str(me), str(target), {"connection": conn})
    return ("created" if outcome == "created" else "accepted"), conn


async def respond(tx: Tx, org: str, me: PersonRef, connection_id: str, action: str) -> dict:
    pair = await one(tx, S.connections.lock_pair, org=org, id=connection_id)
    if not pair:
        raise CONNECTION_NOT_FOUND()
    row = await one(tx, S.connections.respond, org=org, meId=me.id, meEmail=me.email, id=connection_id,
                    action=action)
    outcome = row["outcome"]
    if outcome == "not_pending":
        raise NOT_PENDING(f"the request is {row['connection']['rel']['status']}, not pending")
    if outcome in RESPOND_REFUSALS:
        raise RESPOND_REFUSALS[outcome]()
    if action == "accept":
        await refresh_tops(tx, org, pair["people"])
    conn = record(row["connection"])
    kind = "connection.accepted" if action == "accept" else "connection.rejected"
    await emit(tx, org, kind, str(me), party_name(row["connection"]["requester"]), {"connection": conn})
    return conn


async def remove(tx: Tx, org: str, me: PersonRef, connection_id: str) -> dict:
    pair = await one(tx, S.connections.lock_pair, org=org, id=connection_id)
    if not pair:
        raise CONNECTION_NOT_FOUND()
    row = await one(tx, S.connections.remove, org=org, meId=me.id, meEmail=me.email, id=connection_id)
    if row["outcome"] in REMOVE_REFUSALS:
        raise REMOVE_REFUSALS[row["outcome"]]()
    if row["connection"]["rel"]["status"] == "accepted":  # only an accepted one had a FRIEND
        await refresh_tops(tx, org, pair["people"])
    conn = record(row["connection"])
    await emit(tx, org, "connection.removed", str(me), party_name(row["other"]), {"connection": conn})
    return conn


async def remove_with(tx: Tx, org: str, me: PersonRef, other: PersonRef) -> dict:
    me_eid, other_eid = await merge_people(tx, org, me, other)
    row = await one(tx, S.connections.remove_with, org=org, me=me_eid, other=other_eid)
    if not row:
        raise CONNECTION_NOT_FOUND("you have no connection or pending request with this person")
    if row["connection"]["rel"]["status"] == "accepted":
        await refresh_tops(tx, org, [me_eid, other_eid])
    conn = record(row["connection"])
    await emit(tx, org, "connection.removed", str(me), str(other), {"connection": conn})
    return conn


async def accept_all(tx: Tx, org: str, me: PersonRef) -> int:
    (me_eid,) = await merge_people(tx, org, me)
    row = await one(tx, S.connections.accept_all, org=org, me=me_eid)
    accepted = [record(r) for r in row["accepted"]]
    if accepted:
        await refresh_tops(tx, org, [me_eid, *row["requesters"]])
    await emit_many(tx, org, [
        event("connection.accepted", str(me), party_name({"id": c["requesterId"], "email": c["requesterEmail"]}),
              {"connection": c})
        for c in accepted
    ])
    return len(accepted)


async def listing(tx: Tx, org: str, me: PersonRef, status: str, direction: str | None,
                  w: Window) -> Page:
    row = await one(tx, S.connections.list, org=org, meId=me.id, meEmail=me.email, status=status,
                    direction=direction, skip=w.skip, limit=w.limit, after=w.after)
    return Page(row["total"], [{**record(r), "_key": r["_key"]} for r in row["data"]])


async def stats(tx: Tx, org: str, me: PersonRef) -> dict:
    return await one(tx, S.connections.stats, org=org, meId=me.id, meEmail=me.email)


async def status_with(tx: Tx, org: str, me: PersonRef, other: PersonRef) -> dict:
    (found,) = await status_many(tx, org, [(me, other)])
    return found


async def status_many(tx: Tx, org: str, pairs: list[tuple[PersonRef, PersonRef]]) -> list[dict]:
    """status_with for several (me, other) pairs in one statement, in the order given."""
    found = await rows(tx, S.connections.status_with, org=org, pairs=[
        {"meId": me.id, "meEmail": me.email, "otherId": other.id, "otherEmail": other.email} for me, other in pairs])
    by_pair = {r["k"]: {"status": r["status"], "connectionId": r["connectionId"]} for r in found}
    return [by_pair[k] for k in range(len(pairs))]


async def mutual_many(tx: Tx, org: str, asks: list[tuple[PersonRef, PersonRef, Window]]) -> list[Page]:
    """The mutual connections of several (me, other, window) asks in one statement, in the
    order given; an ask naming someone unknown (or the same person twice) has none."""
    found = await rows(tx, S.connections.mutual, org=org, asks=[
        {"meId": me.id, "meEmail": me.email, "otherId": other.id, "otherEmail": other.email,
         "skip": w.skip, "limit": w.limit, "after": w.after} for me, other, w in asks])
    by_ask = {r["k"]: Page(r["total"], r["data"]) for r in found}
    return [by_ask.get(k, Page(0, [])) for k in range(len(asks))]


async def mutual(tx: Tx, org: str, me: PersonRef, other: PersonRef, w: Window) -> Page:
    (page,) = await mutual_many(tx, org, [(me, other, w)])
    return page
