"""The constraints and indexes of `cypher/schema`, applied by whoever starts first.

`IF NOT EXISTS` is decided as each statement starts, so two processes creating the
same rule at once (two API replicas, two test workers, the offline load's parallel
constraints) can both pass it, and one then fails with
EquivalentSchemaRuleAlreadyExists: it met the other's rule, which may still be
uncommitted and may yet roll back (both can fail this way). So that failure means
"try again": the next attempt finds the rule made, or makes it. A different rule under
a taken name still fails at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable

import neo4j
from neo4j.exceptions import ClientError, ResultFailedError

from .statements import schema_statements

EQUIVALENT = "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists"
ATTEMPTS = 50


def _statements(statements: Iterable[str] | None) -> list[str]:
    return list(schema_statements() if statements is None else statements)


def _met_another(exc: BaseException | None) -> bool:
    """EquivalentSchemaRuleAlreadyExists, raised as itself or, when the driver meets it
    while pulling the result, as the cause of a ResultFailedError."""
    while exc is not None:
        if isinstance(exc, ClientError) and exc.code == EQUIVALENT:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def apply_one(driver: neo4j.Driver, statement: str, database: str | None = None) -> None:
    """One schema statement, again while it meets a concurrent creation of the same rule."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            driver.execute_query(statement, database_=database)
            return
        except (ClientError, ResultFailedError) as exc:
            if attempt == ATTEMPTS or not _met_another(exc):
                raise
        time.sleep(0.02 * attempt)


def apply_schema(driver: neo4j.Driver, database: str | None = None,
                 statements: Iterable[str] | None = None) -> None:
    """Every schema statement (all of cypher/schema unless `statements` is given), in order."""
    for statement in _statements(statements):
        apply_one(driver, statement, database)


async def apply_schema_async(driver: neo4j.AsyncDriver, database: str | None = None,
                             statements: Iterable[str] | None = None) -> None:
    """apply_schema for the service's async driver."""
    for statement in _statements(statements):
        for attempt in range(1, ATTEMPTS + 1):
            try:
                await driver.execute_query(statement, database_=database)
                break
            except (ClientError, ResultFailedError) as exc:
                if attempt == ATTEMPTS or not _met_another(exc):
                    raise
            await asyncio.sleep(0.02 * attempt)
