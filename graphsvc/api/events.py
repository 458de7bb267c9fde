"""The event feed and webhook registrations, for staff and back-end services.

Both name their subjects themselves (an org's events, a webhook id), so no
`userId` is involved; see docs/events.md for what receivers get.
"""

from __future__ import annotations

from typing import ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..domain import events, webhooks
from ..auth import valid_id
from ..errors import BadRequest
from ..models import PageQuery, Paginated, Query, paginated
from .endpoint import Ctx, Reply, endpoint

ROLES = ("staff", "service")
MAX_CURSOR = 2 ** 62


# --- models -----------------------------------------------------------------

class EventsQuery(Query):
    repeatable: ClassVar[frozenset[str]] = frozenset({"type"})  # ?type=a&type=b is one filter
    after: int = Field(0, ge=0, le=MAX_CURSOR, description="Return events after this cursor (0: from the start)")
    limit: int = Field(100, ge=1, le=1000, description="At most this many events")
    type: str | None = Field(None, max_length=1000,
                             description="Only these event types: comma-separated, or the parameter repeated")


class Event(BaseModel):
    id: str = Field(description="Unique and stable: receivers de-duplicate on it")
    cursor: int = Field(description="Per-org position; pass it as `after` to resume")
    org: str
    type: str
    actor: str | None
    subject: str | None
    payload: dict
    createdAt: str


class EventFeed(BaseModel):
    data: list[Event]
    next: int = Field(description="The cursor to pass as `after` next time")
    hasMore: bool


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=1, max_length=2048, examples=["https://hooks.example.com/graphsvc"])
    secret: str = Field(min_length=16, max_length=256, description="Shared HMAC-SHA256 key; never returned")
    types: list[str] = Field(default_factory=list, max_length=len(events.TYPES),
                             description="Event types to receive; empty means all")
    active: bool = True

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise ValueError("url is not a valid URL") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("url must be an absolute http(s) URL")
        if any(c.isspace() for c in url) or (port is not None and not 0 < port < 65536):
            raise ValueError("url is not a valid URL")
        return url

    @field_validator("types")
    @classmethod
    def _known_types(cls, types: list[str]) -> list[str]:
        unknown = sorted(set(types) - set(events.TYPES))
        if unknown:
            raise ValueError(f"unknown event types {unknown}; known: {list(events.TYPES)}")
        return sorted(set(types))


class DeliveryCounts(BaseModel):
    pending: int
    sending: int
    delivered: int
    dead: int
    cancelled: int


class WebhookOut(BaseModel):
    id: str
    url: str
    types: list[str]
    active: bool
    createdAt: str
    updatedAt: str
    deliveries: DeliveryCounts


class DeliveriesQuery(PageQuery):
    state: Literal["pending", "sending", "delivered", "dead", "cancelled"] | None = None
    eventId: str | None = Field(None, max_length=128, description="Only the delivery of this event")


class Delivery(BaseModel):
    id: str
    eventId: str
    eventType: str
    cursor: int
    state: str
    attempts: int
    lastStatus: int | None
    lastError: str | None
    history: list[str] = Field(description="The latest attempts, oldest first: `<time> <HTTP status or error>`")
    createdAt: str
    lastAttemptAt: str | None
    nextAttemptAt: str | None
    deliveredAt: str | None


# --- routes -----------------------------------------------------------------

def _types(ctx: Ctx) -> list[str] | None:
    values = [t.strip() for raw in ctx.request.query_params.getlist("type") for t in raw.split(",")]
    values = [t for t in values if t]
    if not values:
        return None
    unknown = sorted(set(values) - set(events.TYPES))
    if unknown:
        raise BadRequest(f"unknown event types {unknown}", code="validation_error")
    return sorted(set(values))


@endpoint("GET", "/community/events", summary="The org's events in order, from a cursor", tag="Events",
          query=EventsQuery, response=EventFeed, roles=ROLES)
async def feed(ctx: Ctx) -> dict:
    """Events oldest first after `after`. Resume with `after=next`: no gaps, no repeats."""
    q = ctx.query
    data = await ctx.db.read(events.feed, ctx.org, q.after, q.limit + 1, _types(ctx))
    more = len(data) > q.limit
    data = data[:q.limit]
    return {"data": data, "next": data[-1]["cursor"] if data else q.after, "hasMore": more}


@endpoint("PUT", "/community/webhooks/{webhookId}", summary="Register or replace a webhook", tag="Webhooks",
          body=WebhookIn, response=WebhookOut, status=201, roles=ROLES)
async def put_webhook(ctx: Ctx) -> Reply:
    """201 when new, 200 when replaced. Deliveries still queued use the new url and secret."""
    hook_id = valid_id(ctx.path["webhookId"], "webhookId")
    b = ctx.body
    if webhooks.private_destination(b.url) and not webhooks.private_destinations_allowed():
        raise BadRequest("webhook urls may not point at loopback or private addresses", code="url_not_allowed")
    created = await ctx.db.write(webhooks.put, ctx.org, hook_id, b.url, b.secret, b.types, b.active)
    return Reply(201 if created else 200, await ctx.db.read(webhooks.get, ctx.org, hook_id))


@endpoint("GET", "/community/webhooks", summary="The org's webhooks", tag="Webhooks",
          query=PageQuery, response=Paginated[WebhookOut], roles=ROLES)
async def list_webhooks(ctx: Ctx) -> dict:
    q = ctx.query
    total, data = await ctx.db.read(webhooks.listing, ctx.org, q.skip, q.limit)
    return paginated(q, total, data)


@endpoint("GET", "/community/webhooks/{webhookId}", summary="One webhook with its delivery counts",
          tag="Webhooks", response=WebhookOut, roles=ROLES, errors=(404,))
async def get_webhook(ctx: Ctx) -> dict:
    return await ctx.db.read(webhooks.get, ctx.org, valid_id(ctx.path["webhookId"], "webhookId"))


@endpoint("DELETE", "/community/webhooks/{webhookId}", summary="Remove a webhook and its queued deliveries",
          tag="Webhooks", status=204, roles=ROLES, errors=(404,))
async def delete_webhook(ctx: Ctx) -> None:
    await ctx.db.write(webhooks.delete, ctx.org, valid_id(ctx.path["webhookId"], "webhookId"))


@endpoint("GET", "/community/webhooks/{webhookId}/deliveries", summary="Delivery status of a webhook",
          tag="Webhooks", query=DeliveriesQuery, response=Paginated[Delivery], roles=ROLES, errors=(404,))
async def list_deliveries(ctx: Ctx) -> dict:
    """Newest first: state (pending, sending, delivered, dead, cancelled), attempts and recent results."""
    q = ctx.query
    total, data = await ctx.db.read(webhooks.deliveries, ctx.org, valid_id(ctx.path["webhookId"], "webhookId"),
                                    q.state, q.eventId, q.skip, q.limit)
    return paginated(q, total, data)
