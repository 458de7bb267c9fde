"""Lists by page or by cursor: which part to read, and the contract's list answer.

`page` (1-based) and `limit` read by position. `cursor` (opaque, from a previous
answer's `nextCursor`) reads the items after the last one seen, by the list's own
sort key: a walk by cursor neither skips nor repeats an item that existed
throughout, even while others come and go. One row more than asked is read, so the
answer knows whether more follow without counting again.
"""

from __future__ import annotations

from typing import Any

from ..domain import Page, Window
from ..errors import VALIDATION_ERROR
from . import cursor
from .endpoint import Ctx

UNSCOPED = {"page", "limit", "cursor"}


def scope(ctx: Ctx) -> list[Any]:
    """What a cursor is valid for: this route, org, caller and every other parameter."""
    params = sorted((k, v) for k, v in ctx.request.query_params.multi_items() if k not in UNSCOPED)
    return [ctx.request.state.route, ctx.org, ctx.principal.sub, sorted(ctx.path.items()), params]


def window(ctx: Ctx) -> Window:
    q = ctx.query
    if q.cursor is None:
        return Window(q.skip, q.limit + 1)
    if "page" in ctx.request.query_params:
        raise VALIDATION_ERROR("give either page or cursor, not both")
    return Window(0, q.limit + 1, cursor.decode(q.cursor, scope(ctx), list))


def paginated(ctx: Ctx, page: Page) -> dict:
    """`{data, pagination}` for one window of a list read with `window(ctx)`."""
    q = ctx.query
    items, more = page.data[:q.limit], len(page.data) > q.limit
    next_cursor = cursor.encode(scope(ctx), items[-1]["_key"]) if more else None
    data = [{k: v for k, v in item.items() if k != "_key"} for item in items]
    if q.cursor is not None:
        return {"data": data, "pagination": {"limit": q.limit, "total": page.total, "hasMore": more,
                                             "nextCursor": next_cursor}}
    pages = (page.total + q.limit - 1) // q.limit
    return {"data": data, "pagination": {"page": q.page, "limit": q.limit, "total": page.total,
                                         "totalPages": pages, "hasMore": more, "nextCursor": next_cursor}}
