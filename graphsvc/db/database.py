"""One async Neo4j driver per process, and the two ways to use it.

Reads go through `execute_read`, writes through `execute_write`: the driver's
managed transactions retry transient errors (deadlocks, leader switches) and
route reads to followers on a `neo4j://` cluster. All sessions share the driver's
bookmark manager, so a read after a write in this process sees that write.
"""

from __future__ import annotations

import time
from typing import Any, Awaitable, Callable, TypeVar

import neo4j
from neo4j import AsyncGraphDatabase, AsyncManagedTransaction
from neo4j.exceptions import ServiceUnavailable, SessionExpired

from ..config import Settings
from ..errors import from_driver
from .schema import apply_schema_async
from .statements import S, Statement

T = TypeVar("T")
Tx = AsyncManagedTransaction

# Constraint names the service cannot run without; /readyz checks they exist.
REQUIRED_CONSTRAINTS = {"person_id", "person_email", "page_id", "post_id", "connection_id", "connection_live"}


async def rows(tx: Tx, statement: Statement, /, **params: Any) -> list[dict]:
    """Run a statement; every record as a dict."""
    result = await statement.run(tx, **params)
    return [record.data() async for record in result]


async def one(tx: Tx, statement: Statement, /, **params: Any) -> dict | None:
    """Run a statement; its first record as a dict, or None."""
    result = await statement.run(tx, **params)
    record = await result.single()
    return record.data() if record else None


class Database:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.driver = AsyncGraphDatabase.driver(
            settings.neo4j_uri,
            auth=(settings.neo4j_user, settings.neo4j_password),
            max_connection_pool_size=settings.pool_size,
            connection_acquisition_timeout=settings.db_timeout,
            connection_timeout=settings.db_timeout,
            # Transient errors are retried, but never for longer than a caller should wait.
            max_transaction_retry_time=settings.db_timeout,
            # Deadlocks between writes on one popular person are normal under load (Neo4j
            # picks a victim at once); the other writer is done within milliseconds, so the
            # first retry comes after 50 ms, not the driver's default second.
            initial_retry_delay=0.05,
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
        try:
            async with self._session(neo4j.READ_ACCESS) as session:
                return await session.execute_read(fn, *args, **kwargs)
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            raise from_driver(exc) from exc

    async def write(self, fn: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        try:
            async with self._session(neo4j.WRITE_ACCESS) as session:
                return await session.execute_write(fn, *args, **kwargs)
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            raise from_driver(exc) from exc

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
