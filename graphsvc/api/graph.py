"""Graph reads for feeds and people: posts, visibility, blocks, degree, suggestions."""

from __future__ import annotations

from ..domain import blocks, graph, posts, visibility
from ..auth import is_self, person_ref, valid_id, valid_ids
from ..errors import BadRequest, Forbidden
from ..models import (ActingQuery, BatchIn, BatchOut, Blocked, BlockIn, BlockOut, Degree, PageQuery, Paginated,
                      PostIn, PostOut, Suggestion, Verdict, VisibilityQuery, paginated)
from .endpoint import Ctx, Reply, endpoint

FEED_ROLES = ("customer", "staff", "service")


def _viewer(ctx: Ctx, viewer_id: str):
    """Feed services ask about anyone; a member may only ask about themself."""
    viewer = person_ref(viewer_id, "viewerId")
    if ctx.principal.role == "customer" and not is_self(ctx.principal, viewer_id):
        raise Forbidden("a member token may only check its own visibility", code="acting_user_forbidden")
    return viewer


@endpoint("PUT", "/community/posts/{postId}", summary="Register a post the feed will ask about", tag="Posts",
          body=PostIn, response=PostOut, status=201, roles=("staff", "service"), errors=(404,))
async def put_post(ctx: Ctx) -> Reply:
    """201 when new, 200 when re-registered; an unknown pageId is 404."""
    post_id = valid_id(ctx.path["postId"], "postId")
    body = ctx.body
    page_id = valid_id(body.pageId, "pageId") if body.pageId else None
    row = await ctx.db.write(posts.upsert, ctx.org, post_id, person_ref(body.authorId, "authorId"),
                             body.visibility, page_id)
    return Reply(201 if row["created"] else 200, row["post"])


@endpoint("DELETE", "/community/posts/{postId}", summary="Forget a post", tag="Posts", status=204,
          roles=("staff", "service"), errors=(404,))
async def delete_post(ctx: Ctx) -> None:
    await ctx.db.write(posts.delete, ctx.org, valid_id(ctx.path["postId"], "postId"))


@endpoint("GET", "/community/visibility", summary="Can a viewer see a post", tag="Visibility",
          query=VisibilityQuery, response=Verdict, roles=FEED_ROLES)
async def can_see(ctx: Ctx) -> dict:
    """An unknown post is not visible (reason not_found); an unknown viewer sees public posts only."""
    q = ctx.query
    viewer = _viewer(ctx, q.viewerId)
    (row,) = await ctx.db.read(visibility.check_stored, ctx.org, viewer, [valid_id(q.postId, "postId")])
    return {"visible": row["visible"], "reason": row["reason"]}


@endpoint("POST", "/community/visibility", summary="Visibility of up to 1,000 posts in one call", tag="Visibility",
          body=BatchIn, response=BatchOut, roles=FEED_ROLES)
async def can_see_batch(ctx: Ctx) -> dict:
    """Either stored posts by id (`postIds`) or posts described inline (`posts`); answered by one
    Cypher query in one database round trip, results in the order asked."""
    body = ctx.body
    viewer = _viewer(ctx, body.viewerId)
    if body.postIds is not None:
        ids = valid_ids(body.postIds, "postIds[]")
        results = await ctx.db.read(visibility.check_stored, ctx.org, viewer, ids)
    else:
        inline = []
        for post in body.posts:
            author = person_ref(post.authorId, "posts[].authorId")
            inline.append({"id": valid_id(post.id, "posts[].id"), "authorId": author.id,
                           "authorEmail": author.email, "visibility": post.visibility,
                           "pageId": valid_id(post.pageId, "posts[].pageId") if post.pageId else None})
        results = await ctx.db.read(visibility.check_inline, ctx.org, viewer, inline)
    return {"viewerId": body.viewerId, "results": results}


@endpoint("POST", "/client/community/blocks", summary="Block a person", tag="Blocks", body=BlockIn,
          response=BlockOut, status=201, errors=(400,))
async def block(ctx: Ctx) -> Reply:
    """Removes follows both ways and any connection or request; 201 when new, 200 if already blocked."""
    target = person_ref(ctx.body.targetId, "targetId")
    created = await ctx.db.write(blocks.block, ctx.org, ctx.acting(), target)
    return Reply(201 if created else 200, {"blocked": target.params(), "created": created})


@endpoint("DELETE", "/client/community/blocks/{userId}", summary="Lift a block", tag="Blocks",
          query=ActingQuery, status=204, errors=(404,))
async def unblock(ctx: Ctx) -> None:
    await ctx.db.write(blocks.unblock, ctx.org, ctx.acting(), person_ref(ctx.path["userId"], "userId"))


@endpoint("GET", "/client/community/blocks", summary="People the acting user blocks", tag="Blocks",
          query=PageQuery, response=Paginated[Blocked])
async def list_blocks(ctx: Ctx) -> dict:
    q = ctx.query
    row = await ctx.db.read(blocks.listing, ctx.org, ctx.acting(), q.skip, q.limit)
    return paginated(q, row["total"], row["data"])


@endpoint("GET", "/client/community/degree/{userId}", summary="Degrees of separation (1-3, or null)",
          tag="Graph", query=ActingQuery, response=Degree)
async def degree(ctx: Ctx) -> dict:
    """Over accepted connections, at most 3 hops; `path` runs from the acting user to `userId`."""
    me, other = ctx.acting(), person_ref(ctx.path["userId"], "userId")
    if other == me:
        raise BadRequest("that is you", code="self_degree")
    return await ctx.db.read(graph.degree, ctx.org, me, other)


@endpoint("GET", "/client/community/suggestions", summary="People you may know", tag="Graph",
          query=PageQuery, response=Paginated[Suggestion])
async def suggestions(ctx: Ctx) -> dict:
    """Friends of friends ranked by mutual connections; hubs are capped (see docs/visibility.md)."""
    q = ctx.query
    total, data = await ctx.db.read(graph.suggestions, ctx.org, ctx.acting(), q.skip, q.limit)
    return paginated(q, total, data)
