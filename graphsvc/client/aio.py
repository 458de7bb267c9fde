"""The asyncio client: the same namespaces as `Client`, every call awaited."""

from __future__ import annotations

import asyncio
from typing import Any, AsyncIterator, Awaitable, Callable, TypeVar

import httpx

from ._base import (
    NAMESPACES,
    Blocks,
    Call,
    Connections,
    Events,
    Follows,
    Graph,
    MemberSettings,
    Mutes,
    Pages,
    Posts,
    Settings,
    Users,
    Visibility,
    parse,
    retryable,
    transport_error,
)
from .models import Paginated

T = TypeVar("T")


class AsyncClient:
    """graphsvc over HTTP with asyncio: `await client.connections.fetch_connections(...)`.

    Settings, acting user and retries are as for `Client`."""

    def __init__(self, base_url: str, org: str, token: str | Callable[[], str], user_id: str | None = None, *,
                 timeout: float = 10.0, retries: int = 3, backoff: float = 0.25, max_backoff: float = 8.0,
                 connections_prefix: str | None = None, http: httpx.AsyncClient | None = None):
        self._settings = Settings(base_url.rstrip("/"), org, token, user_id, timeout, retries, backoff, max_backoff,
                                  connections_prefix)
        self._own_http = http is None
        self._http = http or httpx.AsyncClient(timeout=timeout)
        self.attempts = 0
        for name, cls in NAMESPACES.items():
            setattr(self, name, cls(self))

    connections: Connections
    users: Users
    follows: Follows
    pages: Pages
    posts: Posts
    visibility: Visibility
    blocks: Blocks
    graph: Graph
    settings: MemberSettings
    mutes: Mutes
    events: Events

    async def _send(self, call: Call) -> httpx.Response:
        s = self._settings
        for attempt in range(s.retries + 1):
            response = None
            try:
                self.attempts += 1
                response = await self._http.request(call.method, s.base_url + call.path, params=call.params or None,
                                                    json=call.json, headers=s.headers(), timeout=s.timeout)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if attempt == s.retries:
                    raise transport_error(call, exc) from exc
            except httpx.TransportError as exc:
                raise transport_error(call, exc) from exc
            else:
                if not retryable(response) or attempt == s.retries:
                    return response
            await asyncio.sleep(s.delay(attempt, response))
        raise AssertionError("unreachable")

    async def _run(self, call: Call) -> Any:
        return parse(call, await self._send(call))

    async def _gather(self, calls: list[Call], merge: Callable[[list[Any]], T]) -> T:
        return merge([await self._run(c) for c in calls])

    async def paginate(self, fetch: Callable[..., Awaitable[Paginated[T]]], *args: Any, limit: int = 100,
                       **kwargs: Any) -> AsyncIterator[T]:
        """`async for c in client.paginate(client.connections.fetch_connections, "usr_abc123")`."""
        page = 1
        while True:
            result = await fetch(*args, page=page, limit=limit, **kwargs)
            for item in result.data:
                yield item
            if not result.pagination.hasMore or not result.data:
                return
            page += 1

    async def aclose(self) -> None:
        if self._own_http:
            await self._http.aclose()

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()
