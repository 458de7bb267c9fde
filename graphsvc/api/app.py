"""The Starlette application: every route in one list, one shared driver, the error model."""

from __future__ import annotations

import contextlib
import logging
from typing import AsyncIterator

from neo4j.exceptions import DriverError, Neo4jError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import config
from ..db import Database
from ..errors import HTTP_ERROR, INTERNAL, METHOD_NOT_ALLOWED, NOT_FOUND, ApiError, from_driver
from ..worker import dispatcher
from . import (
    analytics,
    blocks,
    connections,
    events,
    follows,
    graph,
    health,
    mutes,
    pages,
    posts,
    relationships,
    settings,
    visibility,
    webhooks,
)
from .endpoint import JSON, AccessLog, ServerErrors, error_response, to_route
from .openapi import docs_routes, document

log = logging.getLogger("graphsvc")

# Starlette tries routes in order and no two match the same request, so the order only
# costs time: the feed services' visibility checks, most of the traffic, come first.
ENDPOINTS = [
    *visibility.ENDPOINTS,
    *follows.ENDPOINTS,
    *settings.ENDPOINTS,
    *mutes.ENDPOINTS,
    *relationships.ENDPOINTS,
    *pages.ENDPOINTS,
    *connections.ENDPOINTS,
    *blocks.ENDPOINTS,
    *posts.ENDPOINTS,
    *graph.ENDPOINTS,
    *events.ENDPOINTS,
    *webhooks.ENDPOINTS,
    *analytics.ENDPOINTS,
]


async def openapi(request: Request) -> Response:
    return JSON(request.app.state.openapi)


async def on_api_error(request: Request, exc: ApiError) -> Response:
    return error_response(exc)


async def on_http_error(request: Request, exc: HTTPException) -> Response:
    known = {404: NOT_FOUND, 405: METHOD_NOT_ALLOWED}.get(exc.status_code)
    if known:
        return error_response(known(str(exc.detail)))
    return error_response(ApiError(str(exc.detail), code=HTTP_ERROR.code, status=exc.status_code))


async def on_driver_error(request: Request, exc: Exception) -> Response:
    error = from_driver(exc)
    if error.code == INTERNAL.code:
        log.exception("Neo4j error on %s %s", request.method, request.url.path)
    return error_response(error)


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(INTERNAL())


def create_app(settings: config.Settings | None = None) -> Starlette:
    settings = settings or config.load()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.db = Database(settings)
        app.state.openapi = document(ENDPOINTS)
        try:
            await app.state.db.apply_schema()
        except (DriverError, Neo4jError, OSError) as exc:
            # Serve anyway: /readyz says 503 until Neo4j answers and the schema is in place.
            log.warning("schema not applied at start-up: %s", exc)
        # After the schema, and cancelled before the driver closes.
        task = dispatcher.start(app.state.db)
        try:
            yield
        finally:
            await dispatcher.stop(task)
            await app.state.db.close()

    routes = [
        *map(to_route, ENDPOINTS),
        Route("/healthz", health.healthz), Route("/readyz", health.readyz), Route("/metrics", health.metrics),
        Route("/openapi.json", openapi), *docs_routes(),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            ApiError: on_api_error,
            HTTPException: on_http_error,
            Neo4jError: on_driver_error,
            DriverError: on_driver_error,
            Exception: on_unexpected,
        },
    )
    # Added first, so it runs inside AccessLog: the access log sees the 500 it answers.
    app.add_middleware(ServerErrors)
    app.add_middleware(AccessLog, observe=health.observe)
    return app


def app() -> Starlette:
    """uvicorn factory: `uvicorn --factory graphsvc.api.app:app`."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    return create_app()
