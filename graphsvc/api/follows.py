"""Follows: one-way, to a person (by id or email) or a page; follow requests to protected people."""

from __future__ import annotations

from ..domain import follows
from ..models import (
    ActingQuery,
    Followed,
    FollowIn,
    FollowingQuery,
    FollowOut,
    FollowRequest,
    FollowStats,
    PageQuery,
    Paginated,
    PersonOut,
    UnfollowQuery,
)
from ..people import person_ref, valid_id
from .endpoint import Ctx, Endpoint, Reply
from .pagination import paginated, window

TAG = "Follows"


async def follow(ctx: Ctx) -> Reply:
    """201 when the follow is new, 200 when it already existed; 202 when the person is protected
    and the follow is a pending request (again 202 while it is pending). Self-follow is 400, an
    unknown page 404."""
    me, body = ctx.acting(), ctx.body
    if body.followingType == "page":
        page_id = valid_id(body.following, "following")
        result = await ctx.db.write(follows.follow_page, ctx.org, me, page_id, ctx.settings.max_follows)
    else:
        target = person_ref(body.following, "following")
        result = await ctx.db.write(follows.follow_person, ctx.org, me, target, ctx.settings.max_follows)
    if result["status"] == "pending":
        return Reply(202, result)
    return Reply(201 if result["created"] else 200, result)


async def unfollow(ctx: Ctx) -> None:
    """Stop following a person (id or email) or a page, or withdraw one's own pending request;
    404 when not following, 409 when a person and a page share the id, both are followed and
    `followingType` does not say which."""
    target = person_ref(ctx.path["followingId"], "followingId")
    await ctx.db.write(follows.unfollow, ctx.org, ctx.acting(), target, ctx.query.followingType)


async def followers(ctx: Ctx) -> dict:
    """Active followers only: a pending request is not a follow."""
    return paginated(ctx, await ctx.db.query(follows.followers, ctx.org, ctx.acting(), window(ctx)))


async def following(ctx: Ctx) -> dict:
    """Active follows by default; `status=pending` lists one's own requests not yet approved."""
    q = ctx.query
    page = await ctx.db.query(follows.following, ctx.org, ctx.acting(), q.followingType, q.status, window(ctx))
    return paginated(ctx, page)


async def follow_stats(ctx: Ctx) -> dict:
    """Active follows only."""
    return await ctx.db.query(follows.stats, ctx.org, ctx.acting())


async def follow_requests(ctx: Ctx) -> dict:
    """Pending follow requests received, newest first."""
    return paginated(ctx, await ctx.db.query(follows.requests, ctx.org, ctx.acting(), window(ctx)))


async def approve(ctx: Ctx) -> None:
    """The request turns into an active follow; 404 when that person has no pending request."""
    follower = person_ref(ctx.path["userId"], "userId")
    await ctx.db.write(follows.answer, ctx.org, ctx.acting(), follower, "approve")


async def reject(ctx: Ctx) -> None:
    """The request is deleted; 404 when that person has no pending request."""
    follower = person_ref(ctx.path["userId"], "userId")
    await ctx.db.write(follows.answer, ctx.org, ctx.acting(), follower, "reject")


async def remove_follower(ctx: Ctx) -> None:
    """That person's follow of the acting member, or their pending request, is removed
    without blocking them; 404 when there is neither."""
    follower = person_ref(ctx.path["userId"], "userId")
    await ctx.db.write(follows.answer, ctx.org, ctx.acting(), follower, "remove")


async def familiar_followers(ctx: Ctx) -> dict:
    """The people the acting member actively follows who actively follow `userId`."""
    other = person_ref(ctx.path["userId"], "userId")
    return paginated(ctx, await ctx.db.query(follows.familiar, ctx.org, ctx.acting(), other, window(ctx)))


ENDPOINTS = [
    Endpoint("POST", "/client/community/follow", follow, "Follow a person or a page", TAG,
             body=FollowIn, response=FollowOut, status=201, also=(200, 202), errors=(400, 403, 404, 429)),
    Endpoint("DELETE", "/client/community/follow/{followingId}", unfollow, "Unfollow or withdraw a request", TAG,
             query=UnfollowQuery, status=204, errors=(400, 404)),
    Endpoint("GET", "/client/community/followers", followers, "Who follows the acting user", TAG,
             query=PageQuery, response=Paginated[Followed]),
    Endpoint("DELETE", "/client/community/followers/{userId}", remove_follower, "Remove a follower", TAG,
             query=ActingQuery, status=204, errors=(404,)),
    Endpoint("GET", "/client/community/following", following, "Who and what the acting user follows", TAG,
             query=FollowingQuery, response=Paginated[Followed]),
    Endpoint("GET", "/client/community/follow/stats", follow_stats, "Follower and following counts", TAG,
             query=ActingQuery, response=FollowStats),
    Endpoint("GET", "/client/community/follow-requests", follow_requests, "Follow requests received", TAG,
             query=PageQuery, response=Paginated[FollowRequest]),
    Endpoint("POST", "/client/community/follow-requests/{userId}/approve", approve, "Approve a follow request",
             TAG, query=ActingQuery, status=204, errors=(404,)),
    Endpoint("POST", "/client/community/follow-requests/{userId}/reject", reject, "Reject a follow request",
             TAG, query=ActingQuery, status=204, errors=(404,)),
    Endpoint("GET", "/client/community/familiar-followers/{userId}", familiar_followers,
             "People you follow who follow this person", TAG, query=PageQuery, response=Paginated[PersonOut]),
]
