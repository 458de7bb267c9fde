"""Mutes: a member hides someone from their feed without telling them."""

from __future__ import annotations

from ..domain import mutes
from ..models import ActingQuery, Muted, MuteIn, MuteOut, PageQuery, Paginated
from ..people import person_ref
from .endpoint import Ctx, Endpoint, Reply
from .pagination import paginated, window

TAG = "Mutes"


async def mute(ctx: Ctx) -> Reply:
    """201 when new, 200 when already muted; muting yourself is 400. No event is written."""
    target = person_ref(ctx.body.targetId, "targetId")
    created = await ctx.db.write(mutes.mute, ctx.org, ctx.acting(), target)
    return Reply(201 if created else 200, {"muted": target.params(), "created": created})


async def unmute(ctx: Ctx) -> None:
    """404 when that person is not muted."""
    await ctx.db.write(mutes.unmute, ctx.org, ctx.acting(), person_ref(ctx.path["userId"], "userId"))


async def list_mutes(ctx: Ctx) -> dict:
    return paginated(ctx, await ctx.db.query(mutes.listing, ctx.org, ctx.acting(), window(ctx)))


ENDPOINTS = [
    Endpoint("POST", "/client/community/mutes", mute, "Mute a person", TAG,
             body=MuteIn, response=MuteOut, status=201, also=(200,), errors=(400,)),
    Endpoint("DELETE", "/client/community/mutes/{userId}", unmute, "Unmute a person", TAG,
             query=ActingQuery, status=204, errors=(404,)),
    Endpoint("GET", "/client/community/mutes", list_mutes, "People the acting member has muted", TAG,
             query=PageQuery, response=Paginated[Muted]),
]
