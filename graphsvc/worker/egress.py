"""Where webhook deliveries may connect: public addresses only, and only the address checked.

A webhook url is chosen by a tenant, so without this the dispatcher is a port scanner of
the service's own machine and network (issue 19). Checking the url when it is registered
is not enough: a host name can resolve anywhere, and differently the next time (DNS
rebinding). So every new connection resolves the host once, off the event loop, refuses
when ANY of its addresses is not public, and then dials one of exactly those addresses.
The request still names the host (Host header, TLS SNI and certificate check), because
httpcore passes the url's host to `start_tls` and the request line, not the dialed address.

This is the approach of the `advocate` and `requests-hardened` libraries, done as an
httpcore network backend under httpx. Proxies from the environment are not used (a proxy
would do its own resolution); restrict egress at the network level as well.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Awaitable, Callable, Iterable

import httpcore
import httpx

from ..domain.webhooks import Address, ip_literal, localhost_name, non_public

Resolver = Callable[[str, int], Awaitable[list[str]]]


class AddressRefused(Exception):
    """The destination is (or resolves to) an address deliveries may not reach. Retrying
    cannot help, so the delivery ends dead at once."""


async def system_resolver(host: str, port: int) -> list[str]:
    """getaddrinfo, in the loop's thread pool: a slow resolver never blocks the event loop."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


def _unique(addresses: Iterable[Address]) -> list[Address]:
    seen: dict[Address, None] = {}
    for a in addresses:
        seen.setdefault(a, None)
    return list(seen)


class VettedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that dials only vetted addresses.

    `allow_private_literals` (GRAPHSVC_WEBHOOK_ALLOW_PRIVATE) admits urls whose host is
    written as an IP literal in a private or loopback range -- local development and tests,
    whose receivers listen on 127.0.0.1. Host names are vetted whatever it says.
    """

    def __init__(self, allow_private_literals: bool = False, resolver: Resolver = system_resolver,
                 inner: httpcore.AsyncNetworkBackend | None = None):
        self.allow_private_literals = allow_private_literals
        self.resolver = resolver
        self.inner = inner or httpcore.AnyIOBackend()

    async def vet(self, host: str, port: int, timeout: float | None) -> list[Address]:
        """The addresses this connection may dial, in the resolver's order; raises
        AddressRefused for a non-public destination."""
        literal = ip_literal(host)
        if literal is not None:
            if non_public(literal) and not self.allow_private_literals:
                raise AddressRefused(f"address not allowed: {host} is not a public address")
            return [literal]
        if localhost_name(host):
            raise AddressRefused(f"address not allowed: {host} names this machine")
        try:
            found = await asyncio.wait_for(self.resolver(host, port), timeout)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from None
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        addresses = _unique(a for a in map(ip_literal, found) if a is not None)
        if not addresses:
            raise httpcore.ConnectError(f"cannot resolve {host}: no addresses")
        if any(non_public(a) for a in addresses):
            # The addresses stay in the server log: a tenant learns only that the name is refused.
            raise AddressRefused(f"address not allowed: {host} resolves to a non-public address")
        return addresses

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None, socket_options=None) -> httpcore.AsyncNetworkStream:
        deadline = None if timeout is None else time.monotonic() + timeout
        addresses = await self.vet(host, port, timeout)
        error: Exception | None = None
        for address in addresses:
            left = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            if left == 0.0:
                break
            try:
                return await self.inner.connect_tcp(str(address), port, timeout=left,
                                                    local_address=local_address, socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error or httpcore.ConnectTimeout(f"connecting to {host} timed out")

    async def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None):
        raise AddressRefused("address not allowed: unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class VettedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport with its connection pool dialing through a VettedBackend.
    httpx has no public switch for the network backend, so the pool it built is replaced
    by one built the same way with the backend given."""

    def __init__(self, backend: VettedBackend, limits: httpx.Limits | None = None):
        limits = limits or httpx.Limits()
        super().__init__(limits=limits)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )
