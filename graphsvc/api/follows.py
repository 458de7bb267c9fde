"""Follows and pages (seed 000, Follows)."""

from __future__ import annotations

from ..domain import follows, pages
from ..auth import person_ref, valid_id
from ..models import (ActingQuery, FollowIn, FollowingQuery, FollowOut, FollowStats, Followed, PageIn, PageOut,
                      PageQuery, Paginated, UnfollowQuery, paginated)
from .endpoint import Ctx, Reply, endpoint

TAG = "Follows"


@endpoint("POST", "/client/community/follow", summary="Follow a person or a page", tag=TAG,
          body=FollowIn, response=FollowOut, status=201, errors=(400, 403, 404, 429))
async def follow(ctx: Ctx) -> Reply:
    """201 when the follow is new, 200 when it already existed. Self-follow is 400, an unknown page 404."""
    me, body = ctx.acting(), ctx.body
    if body.followingType == "page":
        page_id = valid_id(body.following, "following")
        result = await ctx.db.write(follows.follow_page, ctx.org, me, page_id, ctx.settings.max_follows)
    else:
        target = person_ref(body.following, "following")
        result = await ctx.db.write(follows.follow_person, ctx.org, me, target, ctx.settings.max_follows)
    return Reply(201 if result["created"] else 200, result)


@endpoint("DELETE", "/client/community/follow/{followingId}", summary="Unfollow", tag=TAG,
          query=UnfollowQuery, status=204, errors=(400, 404))
async def unfollow(ctx: Ctx) -> None:
    """Stop following a person (id or email) or a page; 404 when not following, 409 when a person
    and a page share the id, both are followed and `followingType` does not say which."""
    target = person_ref(ctx.path["followingId"], "followingId")
    await ctx.db.write(follows.unfollow, ctx.org, ctx.acting(), target, ctx.query.followingType)


@endpoint("GET", "/client/community/followers", summary="Who follows the acting user", tag=TAG,
          query=PageQuery, response=Paginated[Followed])
async def followers(ctx: Ctx) -> dict:
    q = ctx.query
    row = await ctx.db.read(follows.followers, ctx.org, ctx.acting(), q.skip, q.limit)
    return paginated(q, row["total"], row["data"])


@endpoint("GET", "/client/community/following", summary="Who and what the acting user follows", tag=TAG,
          query=FollowingQuery, response=Paginated[Followed])
async def following(ctx: Ctx) -> dict:
    q = ctx.query
    row = await ctx.db.read(follows.following, ctx.org, ctx.acting(), q.followingType, q.skip, q.limit)
    return paginated(q, row["total"], row["data"])


@endpoint("GET", "/client/community/follow/stats", summary="Follower and following counts", tag=TAG,
          query=ActingQuery, response=FollowStats)
async def follow_stats(ctx: Ctx) -> dict:
    return await ctx.db.read(follows.stats, ctx.org, ctx.acting())


@endpoint("PUT", "/community/pages/{pageId}", summary="Register or rename a page (staff)", tag="Pages",
          body=PageIn, response=PageOut, roles=("staff", "service"))
async def put_page(ctx: Ctx) -> Reply:
    page_id = valid_id(ctx.path["pageId"], "pageId")
    row = await ctx.db.write(pages.upsert, ctx.org, ctx.principal.sub, page_id, ctx.body.name)
    return Reply(201 if row["created"] else 200, row["page"])


@endpoint("GET", "/community/pages/{pageId}", summary="A page with its followerCount", tag="Pages",
          response=PageOut, roles=("customer", "staff", "service", "analyst"), errors=(404,))
async def get_page(ctx: Ctx) -> dict:
    return await ctx.db.read(pages.get, ctx.org, valid_id(ctx.path["pageId"], "pageId"))
