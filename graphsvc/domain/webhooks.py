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
import re
import socket
from urllib.parse import urlsplit

from .. import sealing
from ..db import S, Tx, one
from ..errors import SECRET_KEY_MISSING, URL_CREDENTIALS, URL_NOT_ALLOWED, WEBHOOK_NOT_FOUND
from . import Page, Window

log = logging.getLogger("graphsvc.webhooks")

STATES = ("pending", "sending", "delivered", "dead", "cancelled")
SIGNATURE_HEADER = "X-Graphsvc-Signature"


# --- destinations -----------------------------------------------------------

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# Every character of every form inet_aton accepts: decimal, octal and hex parts, 1 to 4 of them.
_INET_ATON_CHARS = re.compile(r"[0-9a-fA-FxX.]+")
# IPv6 prefixes that carry an IPv4 address in their last 32 bits, reached by way of it.
_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


def ip_literal(host: str) -> Address | None:
    """The address a host written as an IP literal names, read the way the HTTP client and
    the C resolver read it: the standard forms, IPv6 with a zone, and every legacy IPv4 form
    of inet_aton (`127.1`, `0x7f000001`, `2130706433`, `0177.0.0.1`, `0`, ...). None for a
    host name."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _INET_ATON_CHARS.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def localhost_name(host: str) -> bool:
    """`localhost` and its subdomains name this machine without asking DNS (RFC 6761)."""
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def non_public(ip: Address) -> bool:
    """Whether deliveries must not reach `ip`: loopback, private, link-local, multicast,
    reserved, unspecified, shared (CGNAT) or otherwise not globally routable, including an
    IPv4 address carried inside IPv6 (mapped, 6to4, NAT64)."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return non_public(ip.ipv4_mapped)
        if any(ip in net for net in _NAT64):
            return non_public(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip.sixtofour is not None and non_public(ip.sixtofour):
            return True
        if ip.teredo is not None:
            return True  # a tunnel to an address of someone else's choosing
    return (not ip.is_global or ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
            or ip.is_reserved or ip.is_unspecified)


def check_destination(url: str, allow_private_literals: bool) -> None:
    """Refuse at registration what can never be delivered to: credentials in the url, a
    localhost name, or an IP literal (in any notation) that is not public -- unless
    GRAPHSVC_WEBHOOK_ALLOW_PRIVATE admits private literals. Host names are vetted when each
    delivery connects (graphsvc.worker.egress): what a name resolves to can change."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise URL_CREDENTIALS()
    host = parts.hostname or ""
    if localhost_name(host):
        raise URL_NOT_ALLOWED()
    literal = ip_literal(host)
    if literal is not None and non_public(literal) and not allow_private_literals:
        raise URL_NOT_ALLOWED()


def private_literals_allowed() -> bool:
    """GRAPHSVC_WEBHOOK_ALLOW_PRIVATE=1 admits urls whose host is an IP literal in a private or
    loopback range (local development and this project's tests, whose receivers listen on
    127.0.0.1). It never admits host names: those are vetted at delivery time regardless."""
    return os.environ.get("GRAPHSVC_WEBHOOK_ALLOW_PRIVATE", "").strip().lower() in ("1", "true", "yes")


# --- registrations ----------------------------------------------------------

def secret_context(org: str, webhook_id: str) -> str:
    """What a sealed signing secret is bound to: it opens only on its own webhook."""
    return f"webhook\0{org}\0{webhook_id}"


def seal_secret(keys: tuple[str, ...], org: str, webhook_id: str, secret: str) -> str:
    """The signing secret as stored: sealed, so analyst Cypher never reads it (issue 19)."""
    box = sealing.sealer(keys)
    if not box.ready:
        raise SECRET_KEY_MISSING()
    return box.seal(secret, secret_context(org, webhook_id))


async def put(tx: Tx, org: str, webhook_id: str, url: str, sealed_secret: str, types: list[str],
              active: bool) -> bool:
    """Create or replace a webhook; True when it is new. A replaced webhook's failure count
    and parking are reset: a new url or secret deserves a fresh try."""
    row = await one(tx, S.webhooks.put, org=org, id=webhook_id, url=url, secret=sealed_secret, types=types,
                    active=active)
    if row["parked"]:
        await reschedule(tx, row["hook"], row["now"], later=False)
    return row["created"]


async def reschedule(tx: Tx, hook: str, at, later: bool, horizon: float = 0.0, why: str | None = None) -> int:
    """Move a webhook's waiting deliveries to `at`: later ones when it is parked (ending dead
    those it would keep past their `horizon`, with `why`), earlier ones when staff retry now.
    Two statements, so each delivery is re-read under its lock and one in flight is never touched."""
    eids = (await one(tx, S.webhooks.hold, hook=hook, at=at, later=later))["eids"]
    if not eids:
        return 0
    row = await one(tx, S.webhooks.reschedule, eids=eids, at=at, later=later, horizon=horizon, why=why)
    return row["moved"]


def _public(hook: dict) -> dict:
    counts = {state: 0 for state in STATES}
    counts.update({state: n for state, n in hook.pop("counts")})
    return {**hook, "deliveries": counts}


async def listing(tx: Tx, org: str, w: Window) -> Page:
    row = await one(tx, S.webhooks.list, org=org, id=None, skip=w.skip, limit=w.limit, after=w.after)
    return Page(row["total"], [_public(h) for h in row["data"]])


async def get(tx: Tx, org: str, webhook_id: str) -> dict:
    row = await one(tx, S.webhooks.list, org=org, id=webhook_id, skip=0, limit=1, after=None)
    if not row["data"]:
        raise WEBHOOK_NOT_FOUND()
    return _public(row["data"][0])


async def delete(tx: Tx, org: str, webhook_id: str) -> None:
    row = await one(tx, S.webhooks.delete, org=org, id=webhook_id)
    if not row or not row["deleted"]:
        raise WEBHOOK_NOT_FOUND()


async def deliveries(tx: Tx, org: str, webhook_id: str, state: str | None, event_id: str | None,
                     w: Window) -> Page:
    row = await one(tx, S.webhooks.deliveries, org=org, id=webhook_id, state=state, eventId=event_id,
                    skip=w.skip, limit=w.limit, after=w.after)
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


