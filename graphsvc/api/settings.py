"""A member's settings: whether their account is protected."""

from __future__ import annotations

from ..domain import settings
from ..models import ActingQuery, SettingsIn, SettingsOut
from .endpoint import Ctx, Endpoint


async def get_settings(ctx: Ctx) -> dict:
    """Defaults for someone never seen: `protected: false`."""
    return await ctx.db.query(settings.get, ctx.org, ctx.acting())


async def put_settings(ctx: Ctx) -> dict:
    """`protected: false` approves every pending follow request at once (one follow.created event
    each); turning it on leaves existing follows as they are."""
    return await ctx.db.write(settings.put, ctx.org, ctx.acting(), ctx.body.protected)


ENDPOINTS = [
    Endpoint("GET", "/client/community/settings", get_settings, "The acting member's settings", "Settings",
             query=ActingQuery, response=SettingsOut),
    Endpoint("PUT", "/client/community/settings", put_settings, "Change the acting member's settings", "Settings",
             body=SettingsIn, query=ActingQuery, response=SettingsOut),
]
