"""Can viewer X see post Y: the rules of CONTRACT.md as one Cypher query per call."""

from __future__ import annotations

from ..db import S, Tx, one, rows
from ..people import PersonRef

# The reasons of CONTRACT.md in the order of the statements' letters: "a" is not_found.
REASONS = ("not_found", "author", "blocked", "public", "private", "unknown_viewer", "connection",
           "not_connected", "follower", "page_follower", "not_follower")
VISIBLE = frozenset({"author", "public", "connection", "follower", "page_follower"})
# letter -> (visible, reason, muted); upper case is the same reason with the author muted.
_LETTERS = {chr(ord(case) + i): (reason in VISIBLE, reason, case == "A")
            for case in "aA" for i, reason in enumerate(REASONS)}


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
        codes = by_check[c]["verdicts"] if c in by_check else ""
        try:
            out.append(decode_verdicts(post_ids, codes))
        except ValueError as exc:
            out.append(RuntimeError(f"visibility: {exc} ({codes[:40]!r})"))
    return out


async def check_inline(tx: Tx, org: str, viewer: PersonRef, posts: list[dict]) -> list[dict]:
    """One verdict per post described inline by the feed service."""
    row = await one(tx, S.visibility.check_inline, org=org, viewerId=viewer.id, viewerEmail=viewer.email,
                    posts=posts)
    return decode_verdicts([post["id"] for post in posts], row["verdicts"] if row else "")


def decode_verdicts(post_ids: list[str], codes: str) -> list[dict]:
    """The statements answer a letter per post in the order asked; pair them with the ids.
    ValueError when the letters do not fit the ids."""
    if len(codes) != len(post_ids):
        raise ValueError(f"{len(codes)} verdicts for {len(post_ids)} posts")
    try:
        decoded = [_LETTERS[code] for code in codes]
    except KeyError as e:
        raise ValueError(f"unknown verdict {e.args[0]!r}") from None
    return [{"postId": pid, "visible": visible, "reason": reason, "muted": muted}
            for pid, (visible, reason, muted) in zip(post_ids, decoded)]
