"""Blocks: one member shuts another out of their follows, connections and posts."""


from __future__ import annotations

from ..domain import blocks
from ..models import (
    ActingQuery,
    Blocked,
    BlockIn,
    BlockOut,
    PageQuery,
    Paginated,
)
from ..people import person_ref
from .endpoint import Ctx, Endpoint, Reply
from .pagination import paginated, window


async def block(ctx: Ctx) -> Reply:
    """Removes follows both ways and any connection or request; 201 when new, 200 if already blocked."""
    target = person_ref(ctx.body.targetId, "targetId")
    created = await ctx.db.write(blocks.block, ctx.org, ctx.acting(), target)
    return Reply(201 if created else 200, {"blocked": target.params(), "created": created})


async def unblock(ctx: Ctx) -> None:
    await ctx.db.write(blocks.unblock, ctx.org, ctx.acting(), person_ref(ctx.path["userId"], "userId"))


async def list_blocks(ctx: Ctx) -> dict:
    return paginated(ctx, await ctx.db.query(blocks.listing, ctx.org, ctx.acting(), window(ctx)))


ENDPOINTS = [
    Endpoint("POST", "/client/community/blocks", block, "Block a person", "Blocks",
             body=BlockIn, response=BlockOut, status=201, also=(200,), errors=(400,)),
    Endpoint("DELETE", "/client/community/blocks/{userId}", unblock, "Lift a block", "Blocks",
             query=ActingQuery, status=204, errors=(404,)),
    Endpoint("GET", "/client/community/blocks", list_blocks, "People the acting user blocks", "Blocks",
             query=PageQuery, response=Paginated[Blocked]),
]
