"""The webhook dispatcher: delivers the outbox to each org's webhooks.

Every service process runs one. They coordinate through Neo4j only: a delivery is
leased to one dispatcher by a write transaction (lock, re-check, mark `sending`
until the lease ends), so several processes can run at once and a process that
dies mid-send leaves work that falls due again when its lease ends. Delivery is at
least once: a receiver de-duplicates on the event id.

Receivers are tenants' servers, some of them dead or slow, so one must not hold up
the others (issue 19): each delivery is its own task, and the dispatcher claims more
as soon as a slot frees up instead of waiting for a whole batch; it keeps at most
`per_webhook` deliveries in flight per webhook and `per_org` per org, and claims
round robin across webhooks and orgs (cypher/webhooks/lock_due.cypher). A webhook
that keeps failing is parked (a circuit breaker, cypher/webhooks/failed.cypher).
Connections go only to vetted public addresses (graphsvc/worker/egress.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import uuid
from collections import Counter
from dataclasses import dataclass

import httpx

from .. import sealing
from ..db import Database, S, Tx, one, rows
from ..domain import webhooks
from ..domain.webhooks import SIGNATURE_HEADER, body_of, private_literals_allowed, secret_context, sign
from .egress import AddressRefused, VettedBackend, VettedTransport

log = logging.getLogger("graphsvc.webhooks")


@dataclass(frozen=True)
class DispatchConfig:
    enabled: bool = True
    interval: float = 1.0          # seconds between polls when nothing is due
    batch: int = 20                # deliveries in flight at once, per process
    per_webhook: int = 4           # of those, at most this many to one webhook
    per_org: int = 10              # and at most this many to one org's webhooks
    window: int = 1000             # due deliveries weighed per claim, oldest first
    timeout: float = 5.0           # per POST
    lease: float = 30.0            # how long a claim is exclusive; must exceed timeout
    backoff: float = 5.0           # first retry delay; doubles per failed attempt
    max_backoff: float = 3600.0
    horizon: float = 86400.0       # give up (dead) when the next try would be later than this after creation
    break_after: int = 5           # consecutive failures of a webhook that park it
    allow_private: bool = False    # GRAPHSVC_WEBHOOK_ALLOW_PRIVATE: private IP literals may be dialed
    retention_days: float = 30.0   # events older than this are pruned
    prune_interval: float = 3600.0
    prune_batch: int = 1000

    @classmethod
    def from_env(cls) -> "DispatchConfig":
        env = os.environ.get
        timeout = float(env("GRAPHSVC_WEBHOOK_TIMEOUT", cls.timeout))
        batch = int(env("GRAPHSVC_DISPATCH_BATCH", cls.batch))
        per_webhook = int(env("GRAPHSVC_WEBHOOK_CONCURRENCY", cls.per_webhook))
        return cls(
            enabled=env("GRAPHSVC_DISPATCHER", "1").strip().lower() not in ("0", "false", "no", "off"),
            interval=float(env("GRAPHSVC_DISPATCH_INTERVAL", cls.interval)),
            batch=batch,
            per_webhook=per_webhook,
            # Half the slots by default: a second org always finds room beside a noisy one.
            per_org=int(env("GRAPHSVC_WEBHOOK_ORG_CONCURRENCY", max(per_webhook, batch // 2))),
            window=int(env("GRAPHSVC_DISPATCH_WINDOW", cls.window)),
            timeout=timeout,
            lease=float(env("GRAPHSVC_WEBHOOK_LEASE", max(cls.lease, 3 * timeout))),
            backoff=float(env("GRAPHSVC_WEBHOOK_BACKOFF", cls.backoff)),
            max_backoff=float(env("GRAPHSVC_WEBHOOK_MAX_BACKOFF", cls.max_backoff)),
            horizon=float(env("GRAPHSVC_WEBHOOK_HORIZON", cls.horizon)),
            break_after=int(env("GRAPHSVC_WEBHOOK_BREAK_AFTER", cls.break_after)),
            allow_private=private_literals_allowed(),
            retention_days=float(env("GRAPHSVC_EVENT_RETENTION_DAYS", cls.retention_days)),
            prune_interval=float(env("GRAPHSVC_PRUNE_INTERVAL", cls.prune_interval)),
            prune_batch=int(env("GRAPHSVC_PRUNE_BATCH", cls.prune_batch)),
        )


async def claim(tx: Tx, token: str, cfg: DispatchConfig, batch: int, busy_hooks: dict[str, int],
                busy_orgs: dict[str, int]) -> list[dict]:
    """Lease up to `batch` due deliveries to `token`, fairly given what is already in
    flight; see cypher/webhooks/lock_due.cypher."""
    eids = (await one(tx, S.webhooks.lock_due, batch=batch, window=cfg.window, perHook=cfg.per_webhook,
                      perOrg=cfg.per_org, breakAfter=cfg.break_after, busyHooks=busy_hooks,
                      busyOrgs=busy_orgs))["eids"]
    if not eids:
        return []
    return await rows(tx, S.webhooks.claim, eids=eids, token=token, leaseMs=int(cfg.lease * 1000))


def backoff_ms(cfg: DispatchConfig, attempts_before: int) -> int:
    """Exponential back-off with "equal jitter": half fixed, half random, so that
    retries after a receiver outage spread out instead of arriving in lockstep."""
    delay = min(cfg.max_backoff, cfg.backoff * (2 ** min(attempts_before, 30)))
    return int(1000 * (delay / 2 + random.uniform(0, delay / 2)))


@dataclass(frozen=True)
class Outcome:
    """One attempt: the HTTP status if the receiver answered, else what stopped it;
    `final` when retrying cannot help (a refused address)."""

    status: int | None
    error: str | None = None
    final: bool = False

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


async def _record(db: Database, cfg: DispatchConfig, token: str, item: dict, outcome: Outcome) -> dict | None:
    note = str(outcome.status) if outcome.status is not None else (outcome.error or "error")
    if outcome.ok:
        return await db.write(_delivered, item["eid"], item["id"], outcome.status, note)
    return await db.write(_failed, item["eid"], item["id"], token, outcome, note[:120],
                          backoff_ms(cfg, item["attempts"]), cfg)


async def _delivered(tx: Tx, eid: str, delivery_id: str, status: int, note: str) -> dict | None:
    return await one(tx, S.webhooks.delivered, eid=eid, id=delivery_id, status=status, note=note)


async def _failed(tx: Tx, eid: str, delivery_id: str, token: str, outcome: Outcome, note: str, delay_ms: int,
                  cfg: DispatchConfig) -> dict | None:
    """Record the failed attempt; when it parks the webhook, its waiting deliveries move to the
    probe time in the same transaction (see cypher/webhooks/failed.cypher)."""
    row = await one(tx, S.webhooks.failed, eid=eid, id=delivery_id, token=token, status=outcome.status,
                    error=(outcome.error or f"HTTP {outcome.status}")[:500], note=note, delayMs=delay_ms,
                    horizon=cfg.horizon, final=outcome.final, breakAfter=cfg.break_after,
                    probeMs=int(cfg.backoff * 1000), maxProbeMs=int(cfg.max_backoff * 1000))
    if row and row["parkedUntil"] is not None:
        why = f"given up: the webhook was parked ({row['streak']} failures in a row) past the give-up horizon"
        await webhooks.reschedule(tx, row["hook"], row["parkedUntil"], later=True, horizon=cfg.horizon, why=why)
    return row


async def send(client: httpx.AsyncClient, item: dict, secret: str) -> Outcome:
    """POST one delivery, signed with the webhook's (opened) secret."""
    try:
        body = body_of(item)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "graphsvc-webhooks",
            SIGNATURE_HEADER: sign(secret, body),
            "X-Graphsvc-Event-Id": item["eventId"],
            "X-Graphsvc-Event-Type": item["type"],
            "X-Graphsvc-Delivery-Id": item["id"],
        }
        # Streamed and never read: only the status matters, and a receiver cannot make us buffer a huge body.
        async with client.stream("POST", item["url"], content=body, headers=headers) as resp:
            status = resp.status_code
    except AddressRefused as exc:
        return Outcome(None, str(exc), final=True)
    except httpx.TimeoutException:
        return Outcome(None, "timeout")
    except Exception as exc:  # whatever stopped this attempt counts as a failed one, so it can end dead
        return Outcome(None, f"{exc.__class__.__name__}: {exc}"[:500])
    return Outcome(status, None if 200 <= status < 300 else f"HTTP {status}")


def open_secret(box: sealing.Sealer, item: dict) -> str | None:
    try:
        return box.open(item["secret"] or "", secret_context(item["org"], item["webhookId"]))
    except sealing.SealError as exc:
        log.error("webhook %s/%s: signing secret cannot be opened: %s", item["org"], item["webhookId"], exc)
        return None


class Dispatcher:
    """One process's dispatcher: the deliveries it has in flight, and the loop that claims more."""

    def __init__(self, db: Database, cfg: DispatchConfig, client: httpx.AsyncClient, box: sealing.Sealer):
        self.db, self.cfg, self.client, self.box = db, cfg, client, box
        self.token = uuid.uuid4().hex
        self.inflight: dict[asyncio.Task, dict] = {}
        self.hooks: Counter[str] = Counter()
        self.orgs: Counter[str] = Counter()

    async def fill(self) -> int:
        """Claim as many due deliveries as there are free slots (within the per-webhook and
        per-org limits) and start sending each; the number claimed."""
        free = self.cfg.batch - len(self.inflight)
        if free <= 0:
            return 0
        items = await self.db.write(claim, self.token, self.cfg, free, dict(self.hooks), dict(self.orgs))
        for item in items:
            task = asyncio.create_task(self.deliver(item))
            self.inflight[task] = item
            self.hooks[item["hook"]] += 1
            self.orgs[item["org"]] += 1
            task.add_done_callback(self._finished)
        return len(items)

    def _finished(self, task: asyncio.Task) -> None:
        item = self.inflight.pop(task)
        for counter, key in ((self.hooks, item["hook"]), (self.orgs, item["org"])):
            counter[key] -= 1
            if counter[key] <= 0:
                del counter[key]

    async def deliver(self, item: dict) -> None:
        try:
            secret = open_secret(self.box, item)
            if secret is None:
                outcome = Outcome(None, "the signing secret cannot be opened with this service's GRAPHSVC_SECRET_KEY")
            else:
                outcome = await send(self.client, item, secret)
            row = await _record(self.db, self.cfg, self.token, item, outcome)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the lease runs out and another attempt follows: at least once
            log.warning("delivery %s not completed: %s: %s", item["id"], exc.__class__.__name__, exc)
            return
        if row and row["state"] == "dead":
            log.warning("webhook %s/%s: delivery %s of event %s is dead (%s)", item["org"], item["webhookId"],
                        item["id"], item["eventId"], outcome.error)
        if row and row.get("parkedUntil") and row["streak"] == self.cfg.break_after:
            log.warning("webhook %s/%s parked after %d consecutive failures, until %s", item["org"],
                        item["webhookId"], row["streak"], row["parkedUntil"])

    async def wait(self, timeout: float | None) -> None:
        """Until a delivery in flight finishes (a slot is free) or `timeout` passes."""
        if self.inflight:
            await asyncio.wait(set(self.inflight), timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        elif timeout is not None:
            await asyncio.sleep(timeout)

    async def housekeeping(self) -> None:
        pruned = await prune_all(self.db, self.cfg.retention_days, self.cfg.prune_batch)
        if pruned:
            log.info("pruned %d events older than %s days", pruned, self.cfg.retention_days)
        sealed = await seal_legacy_secrets(self.db, self.box)
        if sealed:
            log.info("sealed %d webhook signing secrets stored in plain text", sealed)

    async def run(self) -> None:
        """Claim, send, and now and then prune, until cancelled."""
        loop = asyncio.get_running_loop()
        next_housekeeping = loop.time()
        failures = 0
        try:
            while True:
                try:
                    await self.fill()
                    failures = 0
                    if loop.time() >= next_housekeeping:
                        next_housekeeping = loop.time() + self.cfg.prune_interval
                        await self.housekeeping()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # Neo4j away or busy: keep polling, the work waits in the database
                    failures += 1
                    log.warning("dispatcher: %s: %s", exc.__class__.__name__, exc)
                if len(self.inflight) >= self.cfg.batch:
                    await self.wait(None)
                else:
                    # Poll less often while Neo4j keeps failing, so an outage is not a log flood.
                    await self.wait(min(self.cfg.interval * 2 ** min(failures, 5), max(self.cfg.interval, 30.0)))
        finally:
            for task in list(self.inflight):
                task.cancel()
            await asyncio.gather(*self.inflight, return_exceptions=True)


async def prune(tx: Tx, older_than_seconds: float, batch: int) -> int:
    """Delete one batch of events older than the cutoff (and their finished deliveries)."""
    row = await one(tx, S.events.prune, olderThanSeconds=float(older_than_seconds), batch=batch)
    return row["pruned"]


async def prune_all(db: Database, retention_days: float, batch: int = 1000) -> int:
    """Prune in batches, each its own transaction, so no transaction grows large."""
    total = 0
    while True:
        n = await db.write(prune, retention_days * 86400, batch)
        total += n
        if n < batch:
            return total


async def _stale_secrets(tx: Tx, current: str, batch: int) -> list[dict]:
    return await rows(tx, S.webhooks.legacy_secrets, current=current, batch=batch)


async def _seal(tx: Tx, sealed: list[dict]) -> int:
    return (await one(tx, S.webhooks.seal, rows=sealed))["sealed"]


async def seal_legacy_secrets(db: Database, box: sealing.Sealer, batch: int = 100) -> int:
    """Seal signing secrets stored in plain text before sealing existed, and re-seal those an
    older key sealed; the number sealed. Without a key nothing can be sealed (and the service
    refuses new webhooks). A secret no configured key opens stays as it is (logged)."""
    if not box.ready:
        return 0
    total = 0
    while True:
        found = await db.read(_stale_secrets, box.current, batch)
        sealed = []
        for r in found:
            context = secret_context(r["org"], r["id"])
            try:
                sealed.append({"org": r["org"], "id": r["id"], "plain": r["secret"],
                               "sealed": box.seal(box.open(r["secret"], context), context)})
            except sealing.SealError as exc:
                log.error("webhook %s/%s: signing secret cannot be re-sealed: %s", r["org"], r["id"], exc)
        if sealed:
            total += await db.write(_seal, sealed)
        if len(found) < batch or not sealed:
            return total


def client_for(cfg: DispatchConfig) -> httpx.AsyncClient:
    """The HTTP client deliveries go out with: vetted addresses only, redirects not followed."""
    limits = httpx.Limits(max_connections=max(cfg.batch, 1))
    transport = VettedTransport(VettedBackend(allow_private_literals=cfg.allow_private), limits=limits)
    return httpx.AsyncClient(transport=transport, timeout=cfg.timeout, follow_redirects=False)


async def run(db: Database, cfg: DispatchConfig) -> None:
    """The dispatcher loop of this process, until cancelled."""
    async with client_for(cfg) as client:
        await Dispatcher(db, cfg, client, sealing.sealer(db.settings.secret_keys)).run()


def start(db: Database) -> asyncio.Task | None:
    """Start the dispatcher as a background task of this process (None when disabled)."""
    cfg = DispatchConfig.from_env()
    if not cfg.enabled:
        return None
    if not db.settings.secret_keys:
        log.error("GRAPHSVC_SECRET_KEY is not set: webhooks cannot be registered, sealed secrets cannot be opened")
    # httpx logs every request at INFO; delivery outcomes are recorded on the deliveries instead.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return asyncio.create_task(run(db, cfg), name="graphsvc-webhook-dispatcher")


async def stop(task: asyncio.Task | None) -> None:
    """Cancel the dispatcher; a POST cut short is retried by whoever claims it after its lease."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
