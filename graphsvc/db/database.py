"""One async Neo4j driver per process, and the three ways to use it.

`write` runs a transaction function in the driver's managed write transaction and
`read` in a managed read transaction: the driver retries transient errors
(deadlocks, leader switches) and routes reads to followers on a `neo4j://` cluster.
`query` runs a read of exactly one statement as an auto-commit query in a READ
session: one round trip (RUN+PULL) instead of two (BEGIN+RUN+PULL, then COMMIT),
routed and refused writes like a read transaction, and retried here on the errors
the driver's managed transactions retry, with the same budget and delays. A read of
several statements stays on `read`, so that they see one snapshot; `query` refuses
a second statement. All sessions share the driver's bookmark manager, so a read
after a write in this process sees that write.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from typing import Any, Awaitable, Callable, Iterator, TypeVar

import neo4j
from neo4j import AsyncGraphDatabase, AsyncManagedTransaction
from neo4j.exceptions import DriverError, Neo4jError, ServiceUnavailable, SessionExpired

from ..config import Settings
from ..errors import from_driver
from . import driver_io
from .records import as_dict
from .schema import apply_schema_async
from .statements import S, Statement

T = TypeVar("T")
Tx = AsyncManagedTransaction
log = logging.getLogger("graphsvc.db")

# Constraint names the service cannot run without; /readyz checks they exist.
REQUIRED_CONSTRAINTS = {"person_id", "person_email", "page_id", "post_id", "connection_id", "connection_live"}

# Deadlocks between writes on one popular person are normal under load (Neo4j picks a
# victim at once); the other writer is done within milliseconds, so the first retry
# comes after 50 ms, not the driver's default second. Growth and jitter are the driver's.
INITIAL_RETRY_DELAY = 0.05
RETRY_DELAY_MULTIPLIER = 2.0
RETRY_DELAY_JITTER = 0.2


def retry_delays() -> Iterator[float]:
    """The delays before each retry, as the driver's managed transactions wait them."""
    delay = INITIAL_RETRY_DELAY
    while True:
        yield delay * (1 - RETRY_DELAY_JITTER + 2 * RETRY_DELAY_JITTER * random.random())
        delay *= RETRY_DELAY_MULTIPLIER


@contextlib.contextmanager
def unreachable_as_api_error() -> Iterator[None]:
    """Neo4j unreachable after the driver's retries becomes the API's 503."""
    try:
        yield
    except (ServiceUnavailable, SessionExpired, OSError) as exc:
        raise from_driver(exc) from exc
    except RuntimeError as exc:
        # uvloop raises this, not OSError, when the driver writes to a connection Neo4j has
        # reset, and the driver lets it through: the database is just as unreachable.
        if "handler is closed" not in str(exc):
            raise
        raise from_driver(ServiceUnavailable(str(exc))) from exc


async def rows(tx: Tx, statement: Statement, /, **params: Any) -> list[dict]:
    """Run a statement; every record as a dict."""
    result = await statement.run(tx, **params)
    return [as_dict(record) async for record in result]


async def one(tx: Tx, statement: Statement, /, **params: Any) -> dict | None:
    """Run a statement; its first record as a dict, or None."""
    result = await statement.run(tx, **params)
    record = await result.single()
    return as_dict(record) if record else None


class OneStatement:
    """What `Database.query` hands its function in place of a transaction: `run` has a
    transaction's signature and sends one auto-commit query; a second is a programming
    error (it would not see the first one's snapshot), so it is refused."""

    __slots__ = ("_session", "result")

    def __init__(self, session: neo4j.AsyncSession):
        self._session = session
        self.result: neo4j.AsyncResult | None = None

    async def run(self, query: str, parameters: dict | None = None) -> neo4j.AsyncResult:
        if self.result is not None:
            raise RuntimeError("Database.query runs one statement; a read of several belongs in Database.read")
        self.result = await self._session.run(query, parameters)
        return self.result


class Database:
    def __init__(self, settings: Settings):
        self.settings = settings
        driver_io.install()
        self.driver = AsyncGraphDatabase.driver(
            settings.neo4j_uri,
            auth=(settings.neo4j_user, settings.neo4j_password),
            max_connection_pool_size=settings.pool_size,
            connection_acquisition_timeout=settings.db_timeout,
            connection_timeout=settings.db_timeout,
            # Transient errors are retried, but never for longer than a caller should wait.
            max_transaction_retry_time=settings.db_timeout,
            initial_retry_delay=INITIAL_RETRY_DELAY,
            retry_delay_multiplier=RETRY_DELAY_MULTIPLIER,
            retry_delay_jitter_factor=RETRY_DELAY_JITTER,
            notifications_min_severity="OFF",
        )
        self.bookmarks = self.driver.execute_query_bookmark_manager

    def _session(self, mode: str) -> neo4j.AsyncSession:
        return self.driver.session(
            database=self.settings.neo4j_database,
            default_access_mode=mode,
            bookmark_manager=self.bookmarks,
        )

    async def read(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        with unreachable_as_api_error():
            async with self._session(neo4j.READ_ACCESS) as session:
                return await session.execute_read(fn, *args, **kwargs)

    async def query(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """`fn(unit, *args, **kwargs)` where `unit.run` sends its one statement as an auto-commit
        query in a READ session; retried while the error `is_retryable()` (transient errors but
        a terminated transaction, a lost connection) within `db_timeout`, as `read` is."""
        with unreachable_as_api_error():
            return await self._query(fn, args, kwargs)

    async def _query(self, fn: Callable[..., Awaitable[T]], args: tuple, kwargs: dict) -> T:
        delays = retry_delays()
        first_failure = None
        while True:
            try:
                async with self._session(neo4j.READ_ACCESS) as session:
                    unit = OneStatement(session)
                    value = await fn(unit, *args, **kwargs)
                    if unit.result is not None:
                        # Inside the session and the retry: a result left unread is an error
                        # once the session closes, and a failure at its end must be retried.
                        await unit.result.consume()
                    return value
            except (DriverError, Neo4jError) as exc:
                if not exc.is_retryable():
                    raise
                now = time.monotonic()
                if first_failure is None:
                    first_failure = now
                elif now - first_failure > self.settings.db_timeout:
                    raise
                delay = next(delays)
                # As the driver logs its managed transactions' retries.
                log.warning("Auto-commit read failed and will be retried in %.3fs (%s)", delay, exc)
            await asyncio.sleep(delay)

    async def write(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        with unreachable_as_api_error():
            async with self._session(neo4j.WRITE_ACCESS) as session:
                return await session.execute_write(fn, *args, **kwargs)

    async def apply_schema(self) -> None:
        """Create every constraint and index in cypher/schema (idempotent)."""
        await apply_schema_async(self.driver, self.settings.neo4j_database)

    async def ready(self) -> tuple[bool, str]:
        started = time.perf_counter()
        try:
            # An auto-commit query: not retried, so an unreachable Neo4j answers at once.
            async with self._session(neo4j.READ_ACCESS) as session:
                result = await S.health.schema_check.run(session)
                record = await result.single()
        except Exception as exc:  # any failure means "not ready", reported as such
            return False, f"Neo4j unreachable: {exc.__class__.__name__}"
        missing = REQUIRED_CONSTRAINTS - set(record["names"])
        if missing:
            # Neo4j was down at start-up, or was wiped: put the schema in place now.
            try:
                await self.apply_schema()
                return True, "schema applied"
            except Exception as exc:  # reported, not raised: this is a health check
                return False, f"schema not applied: missing {sorted(missing)} ({exc.__class__.__name__})"
        return True, f"ok in {1000 * (time.perf_counter() - started):.1f} ms"

    async def close(self) -> None:
        await self.driver.close()
