"""The blocking client."""

from __future__ import annotations

import time
from typing import Any, Callable, Iterator, TypeVar

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


class Client:
    """graphsvc over HTTP, blocking.

    `Client(url, org, token)` acts as the token's member; `Client(url, org,
    service_token, user_id="usr_abc123")` acts for that member on every call that
    acts as a member (a call's own `user_id` argument overrides it). 503 answers
    and refused connections are retried `retries` times with exponential back-off.
    """

    def __init__(self, base_url: str, org: str, token: str | Callable[[], str], user_id: str | None = None, *,
                 timeout: float = 10.0, retries: int = 3, backoff: float = 0.25, max_backoff: float = 8.0,
                 connections_prefix: str | None = None, http: httpx.Client | None = None):
        self._settings = Settings(base_url.rstrip("/"), org, token, user_id, timeout, retries, backoff, max_backoff,
                                  connections_prefix)
        self._own_http = http is None
        self._http = http or httpx.Client(timeout=timeout)
        self.attempts = 0  # HTTP requests sent, retries included
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

    def _send(self, call: Call) -> httpx.Response:
        s = self._settings
        for attempt in range(s.retries + 1):
            response = None
            try:
                self.attempts += 1
                response = self._http.request(call.method, s.base_url + call.path, params=call.params or None, json=call.json,
                                              headers=s.headers(), timeout=s.timeout)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                # The request never reached the service: safe to send again.
                if attempt == s.retries:
                    raise transport_error(call, exc) from exc
            except httpx.TransportError as exc:
                raise transport_error(call, exc) from exc
            else:
                if not retryable(response) or attempt == s.retries:
                    return response
            time.sleep(s.delay(attempt, response))
        raise AssertionError("unreachable")

    def _run(self, call: Call) -> Any:
        return parse(call, self._send(call))

    def _gather(self, calls: list[Call], merge: Callable[[list[Any]], T]) -> T:
        return merge([self._run(c) for c in calls])

    def paginate(self, fetch: Callable[..., Paginated[T]], *args: Any, limit: int = 100,
                 **kwargs: Any) -> Iterator[T]:
        """Every item of a paginated call, page after page:
        `for c in client.paginate(client.connections.fetch_connections, "usr_abc123")`."""
        page = 1
        while True:
            result = fetch(*args, page=page, limit=limit, **kwargs)
            yield from result.data
            if not result.pagination.hasMore or not result.data:
                return
            page += 1

    def close(self) -> None:
        if self._own_http:
            self._http.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
