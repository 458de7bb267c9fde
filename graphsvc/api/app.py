"""The Starlette application: one shared async driver, the routes, and the error model."""

from __future__ import annotations

import contextlib
import logging
from typing import AsyncIterator

from neo4j.exceptions import ConstraintError, DriverError, Neo4jError, ServiceUnavailable, SessionExpired, TransientError
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from .. import config

from ..domain import webhooks
from . import connections as _connections  # noqa: F401  (each module registers its endpoints)
from . import follows as _follows  # noqa: F401
from . import analytics as _analytics  # noqa: F401
from . import events as _events  # noqa: F401
from . import graph as _graph  # noqa: F401
from .endpoint import ENDPOINTS, AccessLog, error_response, to_route
from .openapi import DOCS_HTML, document
from ..db import Database
from ..errors import ApiError, Conflict, Unavailable

log = logging.getLogger("graphsvc")

REQUESTS = Counter("graphsvc_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("graphsvc_request_seconds", "HTTP request latency", ["route"],
                    buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))


def observe(method: str, route: str, status: int, seconds: float) -> None:
    REQUESTS.labels(method, route, str(status)).inc()
    LATENCY.labels(route).observe(seconds)


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    ok, detail = await request.app.state.db.ready()
    return JSONResponse({"status": "ready" if ok else "unavailable", "detail": detail}, status_code=200 if ok else 503)


POOL = Gauge("graphsvc_neo4j_pool_connections", "Bolt connections in the driver's pool", ["state"])


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


async def openapi(request: Request) -> Response:
    return JSONResponse(request.app.state.openapi)


async def docs(request: Request) -> Response:
    return HTMLResponse(DOCS_HTML)


async def on_api_error(request: Request, exc: ApiError) -> Response:
    return error_response(exc)


async def on_http_error(request: Request, exc: HTTPException) -> Response:
    codes = {404: "not_found", 405: "method_not_allowed"}
    return error_response(ApiError(str(exc.detail), code=codes.get(exc.status_code, "http_error"),
                                   status=exc.status_code))


async def on_neo4j_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, (ServiceUnavailable, SessionExpired)):
        return error_response(Unavailable("Neo4j is unreachable"))
    if isinstance(exc, TransientError):
        return error_response(Unavailable("Neo4j is busy; retry", code="database_busy"))
    if isinstance(exc, ConstraintError):
        return error_response(Conflict("a concurrent change got there first; retry", code="conflict"))
    log.exception("Neo4j error on %s %s", request.method, request.url.path)
    return error_response(ApiError("the database refused the request", code="internal", status=500))


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(ApiError("internal error", code="internal", status=500))


def create_app(settings: config.Settings | None = None) -> Starlette:
    settings = settings or config.load()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.db = Database(settings)
        app.state.openapi = document()
        try:
            await app.state.db.apply_schema()
        except (DriverError, Neo4jError, OSError) as exc:
            # Serve anyway: /readyz says 503 until Neo4j answers and the schema is in place.
            log.warning("schema not applied at start-up: %s", exc)
        # --- webhook dispatcher (issue 5): after the schema, cancelled before the driver closes ---
        dispatcher = webhooks.start(app.state.db)
        try:
            yield
        finally:
            await webhooks.stop(dispatcher)
            await app.state.db.close()

    # Starlette tries routes in order (~0.6 us each, 54 of them); the feed services'
    # visibility checks are most of the traffic, so their routes are tried first. No two
    # routes match the same path and method, so the order decides nothing else.
    hot_first = sorted(ENDPOINTS, key=lambda ep: ep.tag != "Visibility")
    routes = [
        *(to_route(ep) for ep in hot_first),
        Route("/healthz", healthz), Route("/readyz", readyz), Route("/metrics", metrics),
        Route("/openapi.json", openapi), Route("/docs", docs),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            ApiError: on_api_error,
            HTTPException: on_http_error,
            Neo4jError: on_neo4j_error,
            DriverError: on_neo4j_error,
            Exception: on_unexpected,
        },
    )
    app.add_middleware(AccessLog, observe=observe)
    return app


def app() -> Starlette:
    """uvicorn factory: `uvicorn --factory graphsvc.api.app:app`."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    return create_app()
