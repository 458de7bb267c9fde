"""Coalescing concurrent point reads: the request coalescing TAO and DataLoader do.

While one statement of a kind (say visibility checks) is in flight for an org (or
`in_flight` of them), the point reads of that kind arriving for the same org wait in a
queue, and when an in-flight statement returns they go together as the next statement,
up to `max_batch` items (shared out among the statements in flight). When fewer are in
flight a read runs at once as a batch of one: no timer and no waiting, so a lone
request costs what it did before.

It lives in db/ because it is a transport-level, per-process concern: what it saves
is round trips and the driver's per-statement work in this process (at high
concurrency the API process, not Neo4j, is the bottleneck, and a batched statement
costs a fraction of one per item). What a batch means is the caller's business: it
hands over a `run_batch(key, items)` that answers every item with its result or its
own exception, so one failing item does not fail its neighbours. If the statement
itself fails, the batch is split in halves and each half is tried again, down to
single items, so only the items that make it fail get the error; an unreachable or
busy Neo4j is not retried here (each half would only wait as long again), every
item gets that error. The key must keep apart what cannot be one statement: the
database and the org, as every statement is org-scoped. One coalescer per kind of
read serves the process (a module global beside its endpoint); it holds state only
while a statement is in flight.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, Awaitable, Callable, Generic, Hashable, TypeVar

from neo4j.exceptions import DriverError, Neo4jError
from prometheus_client import Counter, Histogram

from ..errors import ApiError, from_driver

I = TypeVar("I")  # noqa: E741 - an item
R = TypeVar("R")

BatchRunner = Callable[[Hashable, list[I]], Awaitable[list["R | BaseException"]]]

STATEMENTS = Histogram("graphsvc_coalesced_batch_size", "Items per coalesced statement (its _count is statements)",
                       ["read"], buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000))
SPLITS = Counter("graphsvc_coalesced_splits_total", "Coalesced statements that failed and were split", ["read"])


def _not_split(exc: BaseException) -> bool:
    """Errors that say Neo4j is unreachable, busy or too slow (or every pooled connection
    is taken), not that an item is bad: those the API answers with a 503."""
    if isinstance(exc, (DriverError, Neo4jError, OSError)):
        exc = from_driver(exc)
    return isinstance(exc, ApiError) and exc.status >= 503


class Coalescer(Generic[I, R]):
    """`in_flight`: statements of one key that may run at once. One statement runs on one
    Neo4j worker thread, so a read whose items are heavy (mutuals of hubs) keeps more than
    one going, or a burst of them would wait on a single core of the server."""

    def __init__(self, name: str, run_batch: BatchRunner, max_batch: int = 1000, in_flight: int = 1):
        self.name = name
        self.run_batch = run_batch
        self.max_batch = max_batch
        self.in_flight = in_flight
        # A key is present exactly while a statement for it is in flight; its value is the
        # queue of (item, future) waiting for the next statement.
        self._busy: dict[Hashable, deque] = {}
        self._running: dict[Hashable, int] = {}
        self._sizes = STATEMENTS.labels(name)
        self._splits = SPLITS.labels(name)
        self._drains: set[asyncio.Task] = set()

    async def get(self, key: Hashable, item: I) -> R:
        """The item's result, or its exception raised."""
        queue = self._busy.get(key)
        if queue is not None and self._running[key] >= self.in_flight:
            future = asyncio.get_running_loop().create_future()
            queue.append((item, future))
            return await future
        if queue is None:
            queue = self._busy[key] = deque()
        self._running[key] = self._running.get(key, 0) + 1
        try:
            (result,) = await self._answer(key, [item])
        finally:
            self._hand_over(key, queue)
        if isinstance(result, BaseException):
            raise result
        return result

    def _hand_over(self, key: Hashable, queue: deque) -> None:
        """The in-flight statement returned: the queue goes next, in a task of its own so that
        the caller who ran the statement answers now."""
        if not queue:
            self._release(key)
            return
        task = asyncio.get_running_loop().create_task(self._drain(key, queue))
        self._drains.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._drains.discard)

    async def _drain(self, key: Hashable, queue: deque) -> None:
        batch: list = []
        try:
            while queue:
                batch = []
                # Shared with the other statements in flight for the key as they return.
                share = min(self.max_batch, -(-len(queue) // self.in_flight))
                while queue and len(batch) < share:
                    item, future = queue.popleft()
                    if not future.done():  # a caller that gave up (timeout, disconnect) is skipped
                        batch.append((item, future))
                if not batch:
                    continue
                results = await self._answer(key, [item for item, _ in batch])
                for (_, future), result in zip(batch, results):
                    if future.done():
                        continue
                    if isinstance(result, BaseException):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
        finally:
            self._release(key)
            # Only when this task is cancelled (shutdown) or a bug escaped: no caller waits forever.
            for _, future in (*batch, *(queue if key not in self._busy else ())):
                if not future.done():
                    future.set_exception(RuntimeError(f"{self.name}: coalesced read abandoned"))

    def _release(self, key: Hashable) -> None:
        self._running[key] -= 1
        if not self._running[key]:
            del self._running[key], self._busy[key]

    async def _answer(self, key: Hashable, items: list[I]) -> list[Any]:
        """One result or exception per item; a failed statement of several items is split."""
        self._sizes.observe(len(items))
        try:
            results = await self.run_batch(key, items)
        except Exception as exc:
            if len(items) == 1 or _not_split(exc):
                return [exc] * len(items)
            self._splits.inc()
            half = len(items) // 2
            first, second = await asyncio.gather(self._answer(key, items[:half]), self._answer(key, items[half:]))
            return first + second
        if len(results) != len(items):
            raise RuntimeError(f"{self.name}: {len(results)} answers for {len(items)} items")
        return results
