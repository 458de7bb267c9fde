"""The org's event feed, in order from a cursor, for staff and back-end services."""


from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from ..domain import events
from ..errors import VALIDATION_ERROR
from ..models import EventFeed, Query
from .endpoint import Ctx, Endpoint

ROLES = ("staff", "service")


MAX_CURSOR = 2 ** 62


class EventsQuery(Query):
    repeatable: ClassVar[frozenset[str]] = frozenset({"type"})  # ?type=a&type=b is one filter
    after: int = Field(0, ge=0, le=MAX_CURSOR, description="Return events after this cursor (0: from the start)")
    limit: int = Field(100, ge=1, le=1000, description="At most this many events")
    type: str | None = Field(None, max_length=1000,
                             description="Only these event types: comma-separated, or the parameter repeated")


def _types(ctx: Ctx) -> list[str] | None:
    values = [t.strip() for raw in ctx.request.query_params.getlist("type") for t in raw.split(",")]
    values = [t for t in values if t]
    if not values:
        return None
    unknown = sorted(set(values) - set(events.TYPES))
    if unknown:
        raise VALIDATION_ERROR(f"unknown event types {unknown}")
    return sorted(set(values))


async def feed(ctx: Ctx) -> dict:
    """Events oldest first after `after`. Resume with `after=next`: no gaps, no repeats."""
    q = ctx.query
    data = await ctx.db.query(events.feed, ctx.org, q.after, q.limit + 1, _types(ctx))
    more = len(data) > q.limit
    data = data[:q.limit]
    return {"data": data, "next": data[-1]["cursor"] if data else q.after, "hasMore": more}


ENDPOINTS = [
    Endpoint("GET", "/community/events", feed, "The org's events in order, from a cursor",
             "Events", query=EventsQuery, response=EventFeed, roles=ROLES),
]
