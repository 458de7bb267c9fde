"""The async driver's socket timeouts, made as cheap on Python 3.11 as on 3.12.

Every socket read and write of the async driver is timed: reads by the server's
`connection.recv_timeout_seconds` hint, writes by `connection_write_timeout`. The driver
times them with `wait_for`, which on Python 3.12+ is asyncio's own (a timeout on the
running task), but on 3.11 is the driver's copy of 3.10's, which wraps each read in a new
task with its own timer to work around a cancellation bug 3.12 fixed. That task is a
third of the driver's time per statement here. `install` gives the driver, on 3.11 only,
the wait_for 3.12 has (`asyncio.timeout`, which 3.11 already ships): same timeouts, same
errors, no task per read.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any, Awaitable

try:
    from neo4j._async_compat.network import _bolt_socket
except ImportError:  # a driver release that moved it: run it as it comes (tests/test_driver_io.py fails)
    _bolt_socket = None

_SHIM = getattr(_bolt_socket, "wait_for", None)


async def wait_for(fut: Awaitable[Any], timeout: float | None) -> Any:
    """asyncio.wait_for as Python 3.12 has it, for an awaitable the caller owns."""
    if timeout is None:
        return await fut
    if timeout <= 0:  # the driver's non-blocking poll: its own copy does this right
        return await _SHIM(fut, timeout)
    async with asyncio.timeout(timeout):
        return await fut


def install() -> None:
    """Use `wait_for` in the driver's socket layer, on Python 3.11 (idempotent)."""
    if sys.version_info < (3, 12) and _SHIM is not None:
        _bolt_socket.wait_for = wait_for


def installed() -> bool:
    """Whether the driver's socket layer times I/O without a task per call."""
    return sys.version_info >= (3, 12) or getattr(_bolt_socket, "wait_for", None) is wait_for
