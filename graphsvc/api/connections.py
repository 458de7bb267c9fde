"""Connections, served at /community/connections (staff controller) and mirrored at
/client/community/connections (member tokens): one implementation, two prefixes.
Members act as themselves on both; staff and service tokens act for `userId`."""

from __future__ import annotations

import json

from ..db.coalesce import Coalescer
from ..domain import connections
from ..errors import CONTEXT_TOO_LARGE
from ..models import (
    AcceptAllIn,
    AcceptAllOut,
    ActingQuery,
    Connection,
    ConnectionCount,
    ConnectionItem,
    ConnectionListQuery,
    ConnectionRequestIn,
    ConnectionStats,
    ConnectionStatus,
    PageQuery,
    Paginated,
    PersonOut,
    RespondIn,
)
from ..people import person_ref, valid_id
from .endpoint import Ctx, Endpoint, Reply
from .pagination import paginated, window

CONTEXT_CAP = 4096


async def request(ctx: Ctx) -> Reply:
    """201 with the new pending request; 200 when the other side had already asked (it is accepted)."""
    body = ctx.body
    target = person_ref(body.targetId, "targetId")
    if body.context is not None and len(json.dumps(body.context)) > CONTEXT_CAP:
        raise CONTEXT_TOO_LARGE(f"context is over {CONTEXT_CAP} bytes as JSON")
    outcome, conn = await ctx.db.write(connections.request, ctx.org, ctx.acting(), target, body.message,
                                       body.context, ctx.settings.max_pending_requests)
    return Reply(201 if outcome == "created" else 200, conn)


async def respond(ctx: Ctx) -> dict:
    """Only the person asked may answer, and only while the request is pending."""
    return await ctx.db.write(connections.respond, ctx.org, ctx.acting(), _id(ctx), ctx.body.action)


async def remove(ctx: Ctx) -> None:
    """Either side withdraws a pending request or removes the connection; a stranger gets 404."""
    await ctx.db.write(connections.remove, ctx.org, ctx.acting(), _id(ctx))


async def remove_with(ctx: Ctx) -> None:
    other = person_ref(ctx.path["userId"], "userId")
    await ctx.db.write(connections.remove_with, ctx.org, ctx.acting(), other)


async def list_connections(ctx: Ctx) -> dict:
    """The acting user's connections with `status` (accepted by default), either direction."""
    q = ctx.query
    return paginated(ctx, await ctx.db.query(connections.listing, ctx.org, ctx.acting(), q.status, None, window(ctx)))


async def pending(ctx: Ctx) -> dict:
    """Requests received and still waiting for the acting user's answer."""
    return paginated(ctx, await ctx.db.query(connections.listing, ctx.org, ctx.acting(), "pending", "in", window(ctx)))


async def sent(ctx: Ctx) -> dict:
    """Requests the acting user sent that are still pending."""
    page = await ctx.db.query(connections.listing, ctx.org, ctx.acting(), "pending", "out", window(ctx))
    return paginated(ctx, page)


async def count(ctx: Ctx) -> dict:
    row = await ctx.db.query(connections.stats, ctx.org, ctx.acting())
    return {"count": row["accepted"]}


async def stats(ctx: Ctx) -> dict:
    """accepted, pending (received), sent (pending), and total = their sum."""
    return await ctx.db.query(connections.stats, ctx.org, ctx.acting())


async def _statuses(key: tuple, pairs: list[tuple]) -> list:
    """The status lookups that arrived while another was in flight, as one statement."""
    db, org = key
    return await db.query(connections.status_many, org, pairs)


STATUSES = Coalescer("connection_status", _statuses)


async def status(ctx: Ctx) -> dict:
    other = person_ref(ctx.path["userId"], "userId")
    # Under load, lookups arriving while another is in flight are answered together.
    return await STATUSES.get((ctx.db, ctx.org), (ctx.acting(), other))


async def accept_all(ctx: Ctx) -> dict:
    """Accept every pending request received, in one transaction."""
    return {"accepted": await ctx.db.write(connections.accept_all, ctx.org, ctx.acting())}


async def _mutuals(key: tuple, asks: list[tuple]) -> list:
    """The mutual lookups that arrived while another was in flight, as one statement."""
    db, org = key
    return await db.query(connections.mutual_many, org, asks)


# Two at once: a batch of hub intersections on a single Neo4j thread was slower than no coalescing.
MUTUALS = Coalescer("mutual", _mutuals, in_flight=2)


async def mutual(ctx: Ctx) -> dict:
    """Accepted connections the acting user and `userId` have in common; total is their count."""
    other = person_ref(ctx.path["userId"], "userId")
    # Under load, lookups arriving while another is in flight are answered together.
    return paginated(ctx, await MUTUALS.get((ctx.db, ctx.org), (ctx.acting(), other, window(ctx))))


def _id(ctx: Ctx) -> str:
    return valid_id(ctx.path["id"], "connection id")


TAG = "Connections"
ROUTES = [
    ("POST", "/request", request, "Send a connection request (requestConnection)",
     dict(body=ConnectionRequestIn, response=Connection, status=201, also=(200,), errors=(403, 409, 429))),
    ("PUT", "/{id}/respond", respond, "Accept or reject a request (acceptConnection, declineConnection)",
     dict(body=RespondIn, response=Connection, errors=(403, 404, 409))),
    ("DELETE", "/user/{userId}", remove_with, "Remove the connection with a person (removeConnectionByUserId)",
     dict(query=ActingQuery, status=204, errors=(404,))),
    ("DELETE", "/{id}", remove, "Withdraw or remove a connection (removeConnection)",
     dict(query=ActingQuery, status=204, errors=(404,))),
    ("GET", "", list_connections, "The acting user's connections (fetchConnections)",
     dict(query=ConnectionListQuery, response=Paginated[ConnectionItem])),
    ("GET", "/pending", pending, "Requests received, still pending (fetchReceivedPendingConnections)",
     dict(query=PageQuery, response=Paginated[ConnectionItem])),
    ("GET", "/sent", sent, "Requests sent, still pending (fetchSentPendingConnections)",
     dict(query=PageQuery, response=Paginated[ConnectionItem])),
    ("GET", "/count", count, "Number of established connections (fetchConnectionsCount)",
     dict(query=ActingQuery, response=ConnectionCount)),
    ("GET", "/stats", stats, "Counts for a dashboard widget",
     dict(query=ActingQuery, response=ConnectionStats)),
    ("GET", "/status/{userId}", status, "Where the acting user stands with a person (fetchConnectionStatus)",
     dict(query=ActingQuery, response=ConnectionStatus)),
    ("POST", "/accept-all", accept_all, "Accept every pending request received",
     dict(body=AcceptAllIn, query=ActingQuery, response=AcceptAllOut)),
    ("GET", "/mutual/{userId}", mutual, "Mutual accepted connections with a person",
     dict(query=PageQuery, response=Paginated[PersonOut])),
]

# One implementation on two prefixes: the staff controller's and the members' mirror.
ENDPOINTS = [Endpoint(method, prefix + path, handler, summary, TAG, **options)
             for prefix in ("/community/connections", "/client/community/connections")
             for method, path, handler, summary, options in ROUTES]
