"""How two people are related: degrees of separation and people you may know."""


from __future__ import annotations

from ..domain import graph
from ..errors import SELF_DEGREE
from ..models import (
    Degree,
    DegreeQuery,
    PageQuery,
    Paginated,
    Suggestion,
)
from ..people import person_ref
from .endpoint import Ctx, Endpoint
from .pagination import paginated, window


async def degree(ctx: Ctx) -> dict:
    """Over accepted connections, at most `maxDepth` hops (1-6, default 3); `path` runs from
    the acting user to `userId`. Yourself, by id or by email, is 400 `self_degree`."""
    me, other = ctx.acting(), person_ref(ctx.path["userId"], "userId")
    if other == me:
        raise SELF_DEGREE()  # the rest (an id and the same person's email) the database tells
    return await ctx.db.query(graph.degree, ctx.org, me, other, ctx.query.maxDepth)


async def suggestions(ctx: Ctx) -> dict:
    """Friends of friends ranked by mutual connections; hubs are capped (see docs/visibility.md)."""
    caps = ctx.settings.suggestion_max_friends, ctx.settings.suggestion_fanout
    return paginated(ctx, await ctx.db.query(graph.suggestions, ctx.org, ctx.acting(), window(ctx), *caps))


ENDPOINTS = [
    Endpoint("GET", "/client/community/degree/{userId}", degree, "Degrees of separation (1-maxDepth, or null)",
             "Graph", query=DegreeQuery, response=Degree),
    Endpoint("GET", "/client/community/suggestions", suggestions, "People you may know", "Graph",
             query=PageQuery, response=Paginated[Suggestion]),
]
