"""Posts the feed services register, so visibility can be asked by post id."""


from __future__ import annotations

from ..domain import posts
from ..models import Audience, AudienceQuery, PostIn, PostOut
from ..people import person_ref, valid_id
from . import cursor
from .endpoint import Ctx, Endpoint, Reply


async def put_post(ctx: Ctx) -> Reply:
    """201 when new, 200 when re-registered; an unknown pageId is 404."""
    post_id = valid_id(ctx.path["postId"], "postId")
    body = ctx.body
    page_id = valid_id(body.pageId, "pageId") if body.pageId else None
    row = await ctx.db.write(posts.upsert, ctx.org, post_id, person_ref(body.authorId, "authorId"),
                             body.visibility, page_id)
    return Reply(201 if row["created"] else 200, row["post"])


async def delete_post(ctx: Ctx) -> None:
    await ctx.db.write(posts.delete, ctx.org, valid_id(ctx.path["postId"], "postId"))


async def audience(ctx: Ctx) -> dict:
    """Everyone whose feed the post belongs in, each once, with the reason (`connection`,
    `follower` or `page_follower`), for fan-out on write. Walk it by passing `nextCursor`
    back as `cursor` until it is null; every page costs about the same. Unknown post: 404."""
    post_id = valid_id(ctx.path["postId"], "postId")
    q = ctx.query
    scope = ["audience", ctx.org, post_id]
    after = cursor.decode(q.cursor, scope) if q.cursor else ""
    data, last = await ctx.db.read(posts.audience, ctx.org, post_id, after, q.limit)
    return {"data": data, "nextCursor": cursor.encode(scope, last) if last is not None else None}


ENDPOINTS = [
    Endpoint("PUT", "/community/posts/{postId}", put_post, "Register a post the feed will ask about", "Posts",
             body=PostIn, response=PostOut, status=201, also=(200,), roles=("staff", "service"), errors=(404,)),
    Endpoint("DELETE", "/community/posts/{postId}", delete_post, "Forget a post", "Posts",
             status=204, roles=("staff", "service"), errors=(404,)),
    Endpoint("GET", "/community/posts/{postId}/audience", audience, "Who the post goes to (fan-out on write)",
             "Posts", query=AudienceQuery, response=Audience, roles=("staff", "service"), errors=(404,)),
]
