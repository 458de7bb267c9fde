"""Follows: one-way, no approval, to a person (by id or email) or a page."""


from __future__ import annotations

from ..domain import follows
from ..models import (
    ActingQuery,
    Followed,
    FollowIn,
    FollowingQuery,
    FollowOut,
    FollowStats,
    PageQuery,
    Paginated,
    UnfollowQuery,
    paginated,
)
from ..people import person_ref, valid_id
from .endpoint import Ctx, Endpoint, Reply

TAG = "Follows"


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


async def unfollow(ctx: Ctx) -> None:
    """Stop following a person (id or email) or a page; 404 when not following, 409 when a person
    and a page share the id, both are followed and `followingType` does not say which."""
    target = person_ref(ctx.path["followingId"], "followingId")
    await ctx.db.write(follows.unfollow, ctx.org, ctx.acting(), target, ctx.query.followingType)


async def followers(ctx: Ctx) -> dict:
    q = ctx.query
    return paginated(q, await ctx.db.read(follows.followers, ctx.org, ctx.acting(), q.skip, q.limit))


async def following(ctx: Ctx) -> dict:
    q = ctx.query
    return paginated(q, await ctx.db.read(follows.following, ctx.org, ctx.acting(), q.followingType, q.skip, q.limit))


async def follow_stats(ctx: Ctx) -> dict:
    return await ctx.db.read(follows.stats, ctx.org, ctx.acting())


ENDPOINTS = [
    Endpoint("POST", "/client/community/follow", follow, "Follow a person or a page", TAG,
             body=FollowIn, response=FollowOut, status=201, also=(200,), errors=(400, 403, 404, 429)),
    Endpoint("DELETE", "/client/community/follow/{followingId}", unfollow, "Unfollow", TAG,
             query=UnfollowQuery, status=204, errors=(400, 404)),
    Endpoint("GET", "/client/community/followers", followers, "Who follows the acting user", TAG,
             query=PageQuery, response=Paginated[Followed]),
    Endpoint("GET", "/client/community/following", following, "Who and what the acting user follows", TAG,
             query=FollowingQuery, response=Paginated[Followed]),
    Endpoint("GET", "/client/community/follow/stats", follow_stats, "Follower and following counts", TAG,
             query=ActingQuery, response=FollowStats),
]
