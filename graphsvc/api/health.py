"""The service's own routes: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

from ..db import Database
from .endpoint import JSON

REQUESTS = Counter("graphsvc_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("graphsvc_request_seconds", "HTTP request latency", ["route"],
                    buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
POOL = Gauge("graphsvc_neo4j_pool_connections", "Bolt connections in the driver's pool", ["state"])


def observe(method: str, route: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(route).observe(seconds)


async def healthz(request: Request) -> Response:
    return JSON({"status": "ok"})


async def readyz(request: Request) -> Response:
    ok, detail = await request.app.state.db.ready()
    return JSON({"status": "ready" if ok else "unavailable", "detail": detail}, status_code=200 if ok else 503)


def _pool_counts(db: Database) -> tuple[int, int]:
    """(in use, open) connections of the driver's pool. The driver has no public gauge, so this
    reads its pool; -1 when a driver version lays it out differently."""
    try:
        conns = [c for dq in db.driver._pool.connections.values() for c in dq]
        return sum(bool(c.in_use) for c in conns), len(conns)
    except AttributeError:
        return -1, -1


async def metrics(request: Request) -> Response:
    in_use, total = _pool_counts(request.app.state.db)
    POOL.labels("in_use").set(in_use)
    POOL.labels("open").set(total)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
