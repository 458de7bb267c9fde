"""Can viewer X see post Y: one post, or up to 1,000 in one call, for feed services."""


from __future__ import annotations

from ..auth import is_self
from ..db.coalesce import Coalescer
from ..domain import visibility
from ..errors import ACTING_USER_FORBIDDEN
from ..models import (
    BatchIn,
    BatchOut,
    Verdict,
    VisibilityQuery,
)
from ..people import person_ref, valid_id, valid_ids
from .endpoint import Ctx, Endpoint

FEED_ROLES = ("customer", "staff", "service")


def _viewer(ctx: Ctx, viewer_id: str):
    """Feed services ask about anyone; a member may only ask about themself."""
    viewer = person_ref(viewer_id, "viewerId")
    if ctx.principal.role == "customer" and not is_self(ctx.principal, viewer_id):
        raise ACTING_USER_FORBIDDEN("a member token may only check its own visibility")
    return viewer


async def _single_checks(key: tuple, items: list[tuple]) -> list:
    """The single checks that arrived while another was in flight, as one statement."""
    db, org = key
    answers = await db.query(visibility.check_many, org, [(viewer, [post_id]) for viewer, post_id in items])
    return [answer if isinstance(answer, Exception) else answer[0] for answer in answers]


SINGLE_CHECKS = Coalescer("visibility", _single_checks)


async def can_see(ctx: Ctx) -> dict:
    """An unknown post is not visible (reason not_found); an unknown viewer sees public posts only."""
    q = ctx.query
    viewer = _viewer(ctx, q.viewerId)
    # Under load, checks arriving while another is in flight are answered together.
    row = await SINGLE_CHECKS.get((ctx.db, ctx.org), (viewer, valid_id(q.postId, "postId")))
    return {"visible": row["visible"], "reason": row["reason"], "muted": row["muted"]}


async def can_see_batch(ctx: Ctx) -> dict:
    """Either stored posts by id (`postIds`) or posts described inline (`posts`); answered by one
    Cypher query in one database round trip, results in the order asked."""
    body = ctx.body
    viewer = _viewer(ctx, body.viewerId)
    if body.postIds is not None:
        ids = valid_ids(body.postIds, "postIds[]")
        results = await ctx.db.query(visibility.check_stored, ctx.org, viewer, ids)
    else:
        inline = []
        for post in body.posts:
            author = person_ref(post.authorId, "posts[].authorId")
            inline.append({"id": valid_id(post.id, "posts[].id"), "authorId": author.id,
                           "authorEmail": author.email, "visibility": post.visibility,
                           "pageId": valid_id(post.pageId, "posts[].pageId") if post.pageId else None})
        results = await ctx.db.query(visibility.check_inline, ctx.org, viewer, inline)
    return {"viewerId": body.viewerId, "results": results}


ENDPOINTS = [
    Endpoint("GET", "/community/visibility", can_see, "Can a viewer see a post", "Visibility",
             query=VisibilityQuery, response=Verdict, roles=FEED_ROLES),
    Endpoint("POST", "/community/visibility", can_see_batch, "Visibility of up to 1, 000 posts in one call",
             "Visibility", body=BatchIn, response=BatchOut, roles=FEED_ROLES),
]
