"""Posts the feed asks about: an author, a visibility, optionally a page."""

from __future__ import annotations

from ..db import S, Tx, one
from ..errors import PAGE_NOT_FOUND, POST_NOT_FOUND
from ..people import PersonRef
from .identity import merge_people


async def upsert(tx: Tx, org: str, post_id: str, author: PersonRef, visibility: str, page_id: str | None) -> dict:
    (author_eid,) = await merge_people(tx, org, author)
    row = await one(tx, S.posts.upsert, org=org, postId=post_id, author=author_eid, visibility=visibility,
                    pageId=page_id)
    if row is None:
        raise PAGE_NOT_FOUND()
    return row


async def delete(tx: Tx, org: str, post_id: str) -> None:
    row = await one(tx, S.posts.delete, org=org, postId=post_id)
    if not row["deleted"]:
        raise POST_NOT_FOUND()


async def audience(tx: Tx, org: str, post_id: str, after: str, limit: int) -> tuple[list[dict], str | None]:
    """One page of the post's audience after the person key `after` ('' to start), and the
    key to continue after (None at the end)."""
    data = (await one(tx, S.posts.audience, org=org, postId=post_id, after=after, limit=limit))["data"]
    if not data and not (await one(tx, S.posts.exists, org=org, postId=post_id))["found"]:
        raise POST_NOT_FOUND()
    last = data[-1]["key"] if len(data) == limit else None
    return [{"userId": item["userId"], "reason": item["reason"]} for item in data], last
