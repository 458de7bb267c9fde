"""Webhooks: per-org registrations, their deliveries, and how a delivery is signed.

The dispatcher that sends deliveries lives in `graphsvc.worker.dispatcher`.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import os
from urllib.parse import urlsplit

from ..db import S, Tx, one
from ..errors import WEBHOOK_NOT_FOUND
from . import Page

log = logging.getLogger("graphsvc.webhooks")

STATES = ("pending", "sending", "delivered", "dead", "cancelled")
SIGNATURE_HEADER = "X-Graphsvc-Signature"


# --- registrations ----------------------------------------------------------

def private_destination(url: str) -> bool:
    """Whether the url names this machine or a private network literally (localhost, or a
    loopback, private, link-local or reserved IP). A host name that merely resolves to such an
    address is not caught here: outbound traffic rules are the real guard (docs/events.md)."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_unspecified


def private_destinations_allowed() -> bool:
    """GRAPHSVC_WEBHOOK_ALLOW_PRIVATE=1 lets webhooks target loopback and private addresses
    (local development and this project's tests, whose receivers listen on 127.0.0.1)."""
    return os.environ.get("GRAPHSVC_WEBHOOK_ALLOW_PRIVATE", "") in ("1", "true", "yes")


async def put(tx: Tx, org: str, webhook_id: str, url: str, secret: str, types: list[str], active: bool) -> bool:
    """Create or replace a webhook; True when it is new."""
    row = await one(tx, S.webhooks.put, org=org, id=webhook_id, url=url, secret=secret, types=types, active=active)
    return row["created"]


def _public(hook: dict) -> dict:
    counts = {state: 0 for state in STATES}
    counts.update({state: n for state, n in hook.pop("counts")})
    return {**hook, "deliveries": counts}


async def listing(tx: Tx, org: str, skip: int, limit: int) -> Page:
    row = await one(tx, S.webhooks.list, org=org, id=None, skip=skip, limit=limit)
    return Page(row["total"], [_public(h) for h in row["data"]])


async def get(tx: Tx, org: str, webhook_id: str) -> dict:
    row = await one(tx, S.webhooks.list, org=org, id=webhook_id, skip=0, limit=1)
    if not row["data"]:
        raise WEBHOOK_NOT_FOUND()
    return _public(row["data"][0])


async def delete(tx: Tx, org: str, webhook_id: str) -> None:
    row = await one(tx, S.webhooks.delete, org=org, id=webhook_id)
    if not row or not row["deleted"]:
        raise WEBHOOK_NOT_FOUND()


async def deliveries(tx: Tx, org: str, webhook_id: str, state: str | None, event_id: str | None,
                     skip: int, limit: int) -> Page:
    row = await one(tx, S.webhooks.deliveries, org=org, id=webhook_id, state=state, eventId=event_id,
                    skip=skip, limit=limit)
    if not row:
        raise WEBHOOK_NOT_FOUND()
    return Page(row["total"], row["data"])


# --- signing ----------------------------------------------------------------

def sign(secret: str, body: bytes) -> str:
    """The X-Graphsvc-Signature value: HMAC-SHA256 of the exact body bytes."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def body_of(item: dict) -> bytes:
    """The POSTed event: the same shape as an item of GET /community/events, plus `org`."""
    event = {
        "id": item["eventId"], "cursor": item["cursor"], "org": item["org"], "type": item["type"],
        "actor": item["actor"], "subject": item["subject"],
        "payload": json.loads(item["payload"]) if item["payload"] else {},
        "createdAt": item["createdAt"],
    }
    return json.dumps(event, separators=(",", ":")).encode()


