"""The webhook dispatcher: delivers the outbox to each org's webhooks.

Every service process runs one. They coordinate through Neo4j only: a delivery is
leased to one dispatcher by a write transaction (lock, re-check, mark `sending`
until the lease ends), so several processes can run at once and a process that
dies mid-send leaves work that falls due again when its lease ends. Delivery is at
least once: a receiver de-duplicates on the event id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import uuid
from dataclasses import dataclass

import httpx

from ..db import Database, S, Tx, one, rows
from ..domain.webhooks import SIGNATURE_HEADER, body_of, sign

log = logging.getLogger("graphsvc.webhooks")


@dataclass(frozen=True)
class DispatchConfig:
    enabled: bool = True
    interval: float = 1.0          # seconds between polls when nothing is due
    batch: int = 20                # deliveries claimed per poll
    timeout: float = 5.0           # per POST
    lease: float = 30.0            # how long a claim is exclusive; must exceed timeout
    backoff: float = 5.0           # first retry delay; doubles per failed attempt
    max_backoff: float = 3600.0
    horizon: float = 86400.0       # give up (dead) when the next try would be later than this after creation
    retention_days: float = 30.0   # events older than this are pruned
    prune_interval: float = 3600.0
    prune_batch: int = 1000

    @classmethod
    def from_env(cls) -> "DispatchConfig":
        env = os.environ.get
        timeout = float(env("GRAPHSVC_WEBHOOK_TIMEOUT", cls.timeout))
        return cls(
            enabled=env("GRAPHSVC_DISPATCHER", "1").strip().lower() not in ("0", "false", "no", "off"),
            interval=float(env("GRAPHSVC_DISPATCH_INTERVAL", cls.interval)),
            batch=int(env("GRAPHSVC_DISPATCH_BATCH", cls.batch)),
            timeout=timeout,
            lease=float(env("GRAPHSVC_WEBHOOK_LEASE", max(cls.lease, 3 * timeout))),
            backoff=float(env("GRAPHSVC_WEBHOOK_BACKOFF", cls.backoff)),
            max_backoff=float(env("GRAPHSVC_WEBHOOK_MAX_BACKOFF", cls.max_backoff)),
            horizon=float(env("GRAPHSVC_WEBHOOK_HORIZON", cls.horizon)),
            retention_days=float(env("GRAPHSVC_EVENT_RETENTION_DAYS", cls.retention_days)),
            prune_interval=float(env("GRAPHSVC_PRUNE_INTERVAL", cls.prune_interval)),
            prune_batch=int(env("GRAPHSVC_PRUNE_BATCH", cls.prune_batch)),
        )


async def claim(tx: Tx, token: str, batch: int, lease: float) -> list[dict]:
    """Lease up to `batch` due deliveries to `token`; see cypher/webhooks/lock_due.cypher."""
    eids = (await one(tx, S.webhooks.lock_due, batch=batch))["eids"]
    if not eids:
        return []
    return await rows(tx, S.webhooks.claim, eids=eids, token=token, leaseMs=int(lease * 1000))


def backoff_ms(cfg: DispatchConfig, attempts_before: int) -> int:
    """Exponential back-off with "equal jitter": half fixed, half random, so that
    retries after a receiver outage spread out instead of arriving in lockstep."""
    delay = min(cfg.max_backoff, cfg.backoff * (2 ** min(attempts_before, 30)))
    return int(1000 * (delay / 2 + random.uniform(0, delay / 2)))


async def _record(db: Database, cfg: DispatchConfig, token: str, item: dict,
                  status: int | None, error: str | None) -> str | None:
    note = str(status) if status is not None else (error or "error")
    if status is not None and 200 <= status < 300:
        row = await db.write(_delivered, item["eid"], item["id"], status, note)
    else:
        row = await db.write(_failed, item["eid"], item["id"], token, status, error or f"HTTP {status}", note,
                             backoff_ms(cfg, item["attempts"]), cfg.horizon)
    return row["state"] if row else None


async def _delivered(tx: Tx, eid: str, delivery_id: str, status: int, note: str) -> dict | None:
    return await one(tx, S.webhooks.delivered, eid=eid, id=delivery_id, status=status, note=note)


async def _failed(tx: Tx, eid: str, delivery_id: str, token: str, status: int | None, error: str, note: str,
                  delay_ms: int, horizon: float) -> dict | None:
    return await one(tx, S.webhooks.failed, eid=eid, id=delivery_id, token=token, status=status,
                     error=error[:500], note=note[:120], delayMs=delay_ms, horizon=horizon)


async def send(client: httpx.AsyncClient, item: dict) -> tuple[int | None, str | None]:
    """POST one delivery; (status, None) on an answer, (None, error) when there was none."""
    try:
        body = body_of(item)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "graphsvc-webhooks",
            SIGNATURE_HEADER: sign(item["secret"], body),
            "X-Graphsvc-Event-Id": item["eventId"],
            "X-Graphsvc-Event-Type": item["type"],
            "X-Graphsvc-Delivery-Id": item["id"],
        }
        # Streamed and never read: only the status matters, and a receiver cannot make us buffer a huge body.
        async with client.stream("POST", item["url"], content=body, headers=headers) as resp:
            status = resp.status_code
    except httpx.TimeoutException:
        return None, "timeout"
    except Exception as exc:  # whatever stopped this attempt counts as a failed one, so it can end dead
        return None, f"{exc.__class__.__name__}: {exc}"[:500]
    return status, None if 200 <= status < 300 else f"HTTP {status}"


async def dispatch_once(db: Database, client: httpx.AsyncClient, cfg: DispatchConfig, token: str) -> int:
    """Claim one batch and deliver it concurrently; the number claimed."""
    items = await db.write(claim, token, cfg.batch, cfg.lease)

    async def deliver(item: dict) -> None:
        try:
            status, error = await send(client, item)
            state = await _record(db, cfg, token, item, status, error)
        except Exception as exc:  # the lease runs out and another attempt follows: at least once
            log.warning("delivery %s not completed: %s: %s", item["id"], exc.__class__.__name__, exc)
            return
        if state == "dead":
            log.warning("webhook %s/%s: delivery %s of event %s is dead (%s)", item["org"], item["webhookId"],
                        item["id"], item["eventId"], error)

    await asyncio.gather(*(deliver(item) for item in items))
    return len(items)


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


async def run(db: Database, cfg: DispatchConfig) -> None:
    """The dispatcher loop: poll, deliver, and prune now and then, until cancelled."""
    token = uuid.uuid4().hex
    loop = asyncio.get_running_loop()
    next_prune = loop.time()
    limits = httpx.Limits(max_connections=max(cfg.batch, 1))
    async with httpx.AsyncClient(timeout=cfg.timeout, follow_redirects=False, limits=limits) as client:
        failures = 0
        while True:
            claimed = 0
            try:
                claimed = await dispatch_once(db, client, cfg, token)
                failures = 0
                if loop.time() >= next_prune:
                    next_prune = loop.time() + cfg.prune_interval
                    pruned = await prune_all(db, cfg.retention_days, cfg.prune_batch)
                    if pruned:
                        log.info("pruned %d events older than %s days", pruned, cfg.retention_days)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Neo4j away or busy: keep polling, the work waits in the database
                failures += 1
                log.warning("dispatcher: %s: %s", exc.__class__.__name__, exc)
            if claimed < cfg.batch:
                # Poll less often while Neo4j keeps failing, so an outage is not a log flood.
                await asyncio.sleep(min(cfg.interval * 2 ** min(failures, 5), max(cfg.interval, 30.0)))


def start(db: Database) -> asyncio.Task | None:
    """Start the dispatcher as a background task of this process (None when disabled)."""
    cfg = DispatchConfig.from_env()
    if not cfg.enabled:
        return None
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
