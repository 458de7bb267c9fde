"""Webhook registrations and their deliveries, for staff and back-end services; see docs/events.md."""


from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..domain import events, webhooks
from ..models import PageQuery, Paginated
from ..people import valid_id
from .endpoint import Ctx, Endpoint, Reply
from .pagination import paginated, window

ROLES = ("staff", "service")










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
    consecutiveFailures: int = Field(description="Failed attempts in a row, any delivery; a 2xx resets it")
    parkedUntil: str | None = Field(description="While the receiver keeps failing (circuit open): when its "
                                                "deliveries are next tried; PUT the webhook again to try now")


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




async def put_webhook(ctx: Ctx) -> Reply:
    """201 when new, 200 when replaced. Deliveries still queued use the new url and secret."""
    hook_id = valid_id(ctx.path["webhookId"], "webhookId")
    b = ctx.body
    webhooks.check_destination(b.url, webhooks.private_literals_allowed())
    sealed = webhooks.seal_secret(ctx.settings.secret_keys, ctx.org, hook_id, b.secret)
    created = await ctx.db.write(webhooks.put, ctx.org, hook_id, b.url, sealed, b.types, b.active)
    return Reply(201 if created else 200, await ctx.db.query(webhooks.get, ctx.org, hook_id))


async def list_webhooks(ctx: Ctx) -> dict:
    return paginated(ctx, await ctx.db.query(webhooks.listing, ctx.org, window(ctx)))


async def get_webhook(ctx: Ctx) -> dict:
    return await ctx.db.query(webhooks.get, ctx.org, valid_id(ctx.path["webhookId"], "webhookId"))


async def delete_webhook(ctx: Ctx) -> None:
    await ctx.db.write(webhooks.delete, ctx.org, valid_id(ctx.path["webhookId"], "webhookId"))


async def list_deliveries(ctx: Ctx) -> dict:
    """Newest first: state (pending, sending, delivered, dead, cancelled), attempts and recent results."""
    q = ctx.query
    hook_id = valid_id(ctx.path["webhookId"], "webhookId")
    return paginated(ctx, await ctx.db.query(webhooks.deliveries, ctx.org, hook_id, q.state, q.eventId, window(ctx)))


ENDPOINTS = [
    Endpoint("PUT", "/community/webhooks/{webhookId}", put_webhook, "Register or replace a webhook", "Webhooks",
             body=WebhookIn, response=WebhookOut, status=201, also=(200,), roles=ROLES),
    Endpoint("GET", "/community/webhooks", list_webhooks, "The org's webhooks", "Webhooks",
             query=PageQuery, response=Paginated[WebhookOut], roles=ROLES),
    Endpoint("GET", "/community/webhooks/{webhookId}", get_webhook, "One webhook with its delivery counts", "Webhooks",
             response=WebhookOut, roles=ROLES, errors=(404,)),
    Endpoint("DELETE", "/community/webhooks/{webhookId}", delete_webhook, "Remove a webhook and its queued deliveries", "Webhooks",
             status=204, roles=ROLES, errors=(404,)),
    Endpoint("GET", "/community/webhooks/{webhookId}/deliveries", list_deliveries, "Delivery status of a webhook", "Webhooks",
             query=DeliveriesQuery, response=Paginated[Delivery], roles=ROLES, errors=(404,)),
]
