"""How two people are related: degrees of separation and people you may know."""

from __future__ import annotations

from ..db import S, Tx, one
from ..errors import SELF_DEGREE
from ..people import PersonRef
from . import Page, Window

# Suggestions walk at most this many of your friends, and this many friends of
# each: a member connected to celebrities still gets an answer in bounded time.
# Where a cap binds, the first by key (id, else email) are taken, so the answer
# is the graph's, not the store's (cypher/graph/suggestions). The service's own
# are GRAPHSVC_SUGGESTION_MAX_FRIENDS / GRAPHSVC_SUGGESTION_FANOUT (same defaults).
MAX_FRIENDS = 1000
FANOUT = 1000
# How many of a hub's friends FRIEND_TOP keeps (cypher/graph/refresh_tops): one more than
# the largest default cap, so that the cap's smallest are among them with the asker left out.
TOP_FRIENDS = max(MAX_FRIENDS, FANOUT) + 1


async def degree(tx: Tx, org: str, me: PersonRef, other: PersonRef, max_depth: int) -> dict:
    """`{degree, path}` of the shortest accepted path of at most `max_depth` hops. Two refs
    naming one person (an id and that person's email) are refused like equal refs."""
    row = await one(tx, S.graph.degree, org=org, meId=me.id, meEmail=me.email, otherId=other.id,
                    otherEmail=other.email, maxDepth=max_depth)
    if row and row["self"]:
        raise SELF_DEGREE()
    if not row or row["degree"] is None:
        return {"degree": None, "path": []}
    return {"degree": row["degree"], "path": row["path"]}


async def suggestions(tx: Tx, org: str, me: PersonRef, w: Window, max_friends: int = MAX_FRIENDS,
                      fanout: int = FANOUT) -> Page:
    row = await one(tx, S.graph.suggestions, org=org, meId=me.id, meEmail=me.email, skip=w.skip, limit=w.limit, after=w.after,
                    maxFriends=max_friends, fanout=fanout)
    return Page(row["total"], row["data"]) if row else Page(0, [])


async def refresh_tops(tx: Tx, org: str, people: list[str]) -> None:
    """Keep FRIEND_TOP true for these people (element ids) after a change to their FRIEND
    edges, in the transaction that made it; a no-op for anyone with no more than
    TOP_FRIENDS friends and no FRIEND_TOP."""
    await one(tx, S.graph.refresh_tops, org=org, people=list(set(people)), keep=TOP_FRIENDS)
