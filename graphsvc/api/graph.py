"""How two people are related: degrees of separation and people you may know."""


from __future__ import annotations

from ..domain import graph
from ..errors import SELF_DEGREE
from ..models import (
    ActingQuery,
    Degree,
    PageQuery,
    Paginated,
    Suggestion,
    paginated,
)
from ..people import person_ref
from .endpoint import Ctx, Endpoint


async def degree(ctx: Ctx) -> dict:
    """Over accepted connections, at most 3 hops; `path` runs from the acting user to `userId`."""
    me, other = ctx.acting(), person_ref(ctx.path["userId"], "userId")
    if other == me:
        raise SELF_DEGREE()
    return await ctx.db.read(graph.degree, ctx.org, me, other)


async def suggestions(ctx: Ctx) -> dict:
    """Friends of friends ranked by mutual connections; hubs are capped (see docs/visibility.md)."""
    q = ctx.query
    return paginated(q, await ctx.db.read(graph.suggestions, ctx.org, ctx.acting(), q.skip, q.limit))


ENDPOINTS = [
    Endpoint("GET", "/client/community/degree/{userId}", degree, "Degrees of separation (1-3, or null)", "Graph",
             query=ActingQuery, response=Degree),
    Endpoint("GET", "/client/community/suggestions", suggestions, "People you may know", "Graph",
             query=PageQuery, response=Paginated[Suggestion]),
]
