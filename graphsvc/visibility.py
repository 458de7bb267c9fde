"""Can viewer X see post Y: the rules of CONTRACT.md as one Cypher query per call."""

from __future__ import annotations

from .auth import PersonRef
from .db import Tx, one


async def check_stored(tx: Tx, org: str, viewer: PersonRef, post_ids: list[str]) -> list[dict]:
    """One verdict per stored post id, in the order given (unknown ids: not_found)."""
    row = await one(tx, "visibility/check_stored", org=org, viewerId=viewer.id, viewerEmail=viewer.email,
                    postIds=post_ids)
    return row["results"]


async def check_inline(tx: Tx, org: str, viewer: PersonRef, posts: list[dict]) -> list[dict]:
    """One verdict per post described inline by the feed service."""
    row = await one(tx, "visibility/check_inline", org=org, viewerId=viewer.id, viewerEmail=viewer.email,
                    posts=posts)
    return row["results"]
