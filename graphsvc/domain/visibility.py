"""Can viewer X see post Y: the rules of CONTRACT.md as one Cypher query per call."""

from __future__ import annotations

from ..db import S, Tx, one
from ..people import PersonRef


async def check_stored(tx: Tx, org: str, viewer: PersonRef, post_ids: list[str]) -> list[dict]:
    """One verdict per stored post id, in the order given (unknown ids: not_found)."""
    row = await one(tx, S.visibility.check_stored, org=org, viewerId=viewer.id, viewerEmail=viewer.email,
                    postIds=post_ids)
    return _verdicts(post_ids, row)


async def check_inline(tx: Tx, org: str, viewer: PersonRef, posts: list[dict]) -> list[dict]:
    """One verdict per post described inline by the feed service."""
    row = await one(tx, S.visibility.check_inline, org=org, viewerId=viewer.id, viewerEmail=viewer.email,
                    posts=posts)
    return _verdicts([post["id"] for post in posts], row)


def _verdicts(post_ids: list[str], row: dict) -> list[dict]:
    """The statements answer lists in the order asked; pair them with the ids."""
    return [{"postId": pid, "visible": visible, "reason": reason, "muted": muted}
            for pid, visible, reason, muted in zip(post_ids, row["visible"], row["reasons"], row["muted"], strict=True)]
