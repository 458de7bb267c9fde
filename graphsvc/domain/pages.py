"""Pages people follow; each keeps its followerCount in step with its FOLLOWS edges."""

from __future__ import annotations

from ..db import S, Tx, one
from ..errors import PAGE_NOT_FOUND
from .events import emit


async def upsert(tx: Tx, org: str, actor: str, page_id: str, name: str) -> dict:
    row = await one(tx, S.pages.upsert, org=org, pageId=page_id, name=name)
    await emit(tx, org, "page.updated", actor, page_id, {"page": row["page"], "created": row["created"]})
    return row


async def get(tx: Tx, org: str, page_id: str) -> dict:
    row = await one(tx, S.pages.get, org=org, pageId=page_id)
    if not row:
        raise PAGE_NOT_FOUND()
    return row["page"]
