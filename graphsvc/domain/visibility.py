"""Can viewer X see post Y: the rules of CONTRACT.md as one Cypher query per call."""

from __future__ import annotations

from ..db import S, Tx, one, rows
from ..people import PersonRef


async def check_stored(tx: Tx, org: str, viewer: PersonRef, post_ids: list[str]) -> list[dict]:
    """One verdict per stored post id, in the order given (unknown ids: not_found)."""
    (verdicts,) = await check_many(tx, org, [(viewer, post_ids)])
    if isinstance(verdicts, Exception):
        raise verdicts
    return verdicts


async def check_many(tx: Tx, org: str, checks: list[tuple[PersonRef, list[str]]]) -> list[list[dict] | Exception]:
    """check_stored for several viewers in one statement: per check its verdicts, or the error
    of that check alone when the answer does not fit what it asked (the coalesced single checks
    of many callers share this statement, and one bad check must not fail the others)."""
    records = await rows(tx, S.visibility.check_stored, org=org, checks=[
        {"viewerId": viewer.id, "viewerEmail": viewer.email, "postIds": post_ids} for viewer, post_ids in checks])
    by_check = {record["k"]: record for record in records}
    out: list[list[dict] | Exception] = []
    for c, (_, post_ids) in enumerate(checks):
        record = by_check.get(c, {"visible": [], "reasons": [], "muted": []})
        try:
            out.append(_verdicts(post_ids, record))
        except ValueError:
            out.append(RuntimeError(f"visibility: {len(record['reasons'])} verdicts for {len(post_ids)} posts"))
    return out


async def check_inline(tx: Tx, org: str, viewer: PersonRef, posts: list[dict]) -> list[dict]:
    """One verdict per post described inline by the feed service."""
    row = await one(tx, S.visibility.check_inline, org=org, viewerId=viewer.id, viewerEmail=viewer.email,
                    posts=posts)
    return _verdicts([post["id"] for post in posts], row)


def _verdicts(post_ids: list[str], row: dict) -> list[dict]:
    """The statements answer lists in the order asked; pair them with the ids."""
    return [{"postId": pid, "visible": visible, "reason": reason, "muted": muted}
            for pid, visible, reason, muted in zip(post_ids, row["visible"], row["reasons"], row["muted"], strict=True)]
