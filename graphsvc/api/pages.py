"""Pages: registered by staff, followed by members, read with their followerCount."""

from __future__ import annotations

from ..domain import pages
from ..models import PageIn, PageOut
from ..people import valid_id
from .endpoint import Ctx, Endpoint, Reply


async def put_page(ctx: Ctx) -> Reply:
    page_id = valid_id(ctx.path["pageId"], "pageId")
    row = await ctx.db.write(pages.upsert, ctx.org, ctx.principal.sub, page_id, ctx.body.name)
    return Reply(201 if row["created"] else 200, row["page"])


async def get_page(ctx: Ctx) -> dict:
    return await ctx.db.query(pages.get, ctx.org, valid_id(ctx.path["pageId"], "pageId"))


ENDPOINTS = [
    Endpoint("PUT", "/community/pages/{pageId}", put_page, "Register or rename a page (staff)", "Pages",
             body=PageIn, response=PageOut, also=(201,), roles=("staff", "service")),
    Endpoint("GET", "/community/pages/{pageId}", get_page, "A page with its followerCount", "Pages",
             response=PageOut, roles=("customer", "staff", "service", "analyst"), errors=(404,)),
]
