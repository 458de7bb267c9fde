"""The async driver's socket timeouts (graphsvc/db/driver_io.py): no task per socket read
on Python 3.11, and every timeout still fires."""

from __future__ import annotations

import asyncio
import socket
import sys
import time

import neo4j
import pytest
from neo4j.exceptions import ServiceUnavailable

from graphsvc.config import Settings
from graphsvc.db import Database, driver_io
from graphsvc.domain import follows
from graphsvc.people import PersonRef


def _settings(target) -> Settings:
    return Settings(neo4j_uri=target.uri, neo4j_user=target.user, neo4j_password=target.password,
                    neo4j_database="neo4j", jwt_secret=None, jwt_public_key=None, db_timeout=10.0)


def test_the_service_reads_without_a_task_per_socket_read(neo4j_target):
    """The service's reads, against the real server whose hints time every read: on 3.11 the
    driver's own wait_for made a task per socket read and write (seven per statement);
    the service's Database makes none."""

    async def main() -> tuple[int, int]:
        db = Database(_settings(neo4j_target))
        loop = asyncio.get_running_loop()
        made = []

        def factory(loop, coro, **kwargs):
            made.append(getattr(coro, "__qualname__", coro))
            return asyncio.Task(coro, loop=loop, **kwargs)

        try:
            await db.query(follows.stats, "org-driver-io", PersonRef("usr_a"))  # a connection, warm
            loop.set_task_factory(factory)
            for _ in range(20):
                assert (await db.query(follows.stats, "org-driver-io", PersonRef("usr_a")))["following"] == 0
            loop.set_task_factory(None)
            return len(made), 20
        finally:
            loop.set_task_factory(None)
            await db.close()

    made, statements = asyncio.run(main())
    assert made == 0, f"{made} tasks for {statements} statements"
    assert driver_io.installed()


def test_wait_for_returns_times_out_and_passes_cancellation_on():
    async def value(delay: float) -> str:
        await asyncio.sleep(delay)
        return "done"

    async def main() -> None:
        assert await driver_io.wait_for(value(0), None) == "done"
        assert await driver_io.wait_for(value(0.01), 5) == "done"
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            await driver_io.wait_for(value(5), 0.05)
        assert time.monotonic() - started < 1
        # The driver's non-blocking poll: a finished task answers, an unfinished one times out.
        done = asyncio.ensure_future(value(0))
        await asyncio.sleep(0.01)
        assert await driver_io.wait_for(done, 0) == "done"
        with pytest.raises(TimeoutError):
            await driver_io.wait_for(asyncio.ensure_future(value(5)), 0)
        # Cancelling the caller cancels the wait: it is not swallowed, not turned into a timeout.
        waiter = asyncio.ensure_future(driver_io.wait_for(value(5), 10))
        await asyncio.sleep(0.01)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter

    asyncio.run(main())


def test_a_server_that_never_answers_still_times_out():
    """A socket that accepts and then says nothing: the handshake's read is timed, and the
    driver gives up when its acquisition deadline passes, as it does with its own wait_for."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    driver_io.install()

    async def main() -> float:
        driver = neo4j.AsyncGraphDatabase.driver(f"bolt://127.0.0.1:{port}", auth=("neo4j", "x"),
                                                 connection_timeout=0.3, connection_acquisition_timeout=1.0)
        started = time.monotonic()
        try:
            with pytest.raises(ServiceUnavailable):
                await driver.verify_connectivity()
        finally:
            await driver.close()
        return time.monotonic() - started

    try:
        assert asyncio.run(main()) < 5
    finally:
        listener.close()


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="3.12's own wait_for needs no replacement")
def test_install_replaces_the_driver_s_wait_for():
    """The name replaced is the one the driver's socket layer calls: a driver release that
    moves it fails here, not silently slower in production."""
    from neo4j._async_compat.network import _bolt_socket

    driver_io.install()
    assert _bolt_socket.wait_for is driver_io.wait_for
    assert _bolt_socket.AsyncBoltSocketBase._wait_for_io.__code__.co_names.count("wait_for") == 1
