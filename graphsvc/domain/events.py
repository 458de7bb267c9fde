"""The outbox: every change writes its event in its own transaction.

`emit` is called last in a write transaction, because it write-locks the org's
counter node until commit; a refused or rolled-back change leaves no event and a
retried transaction leaves exactly one.
"""

from __future__ import annotations

import json
from typing import Any

from ..db import S, Tx, one, rows

TYPES = (
    "follow.created", "follow.deleted", "follow.requested", "follow.rejected",
    "connection.requested", "connection.accepted", "connection.rejected", "connection.removed",
    "block.created", "block.deleted", "page.updated",
)


def event(type: str, actor: str | None, subject: str | None, payload: dict[str, Any]) -> dict:
    assert type in TYPES, type
    return {"type": type, "actor": actor, "subject": subject,
            "payload": json.dumps(payload, separators=(",", ":"), default=str)}


async def emit(tx: Tx, org: str, type: str, actor: str | None, subject: str | None, payload: dict[str, Any]) -> None:
    await emit_many(tx, org, [event(type, actor, subject, payload)])


async def emit_many(tx: Tx, org: str, events: list[dict]) -> None:
    """Append several events (built by `event`) in one round trip."""
    if events:
        await one(tx, S.events.append, org=org, events=events)


async def feed(tx: Tx, org: str, after: int, limit: int, types: list[str] | None) -> list[dict]:
    events = await rows(tx, S.events.list, org=org, after=after, limit=limit, types=types)
    for event in events:
        event["payload"] = json.loads(event["payload"]) if event["payload"] else {}
    return events
