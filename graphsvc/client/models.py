"""What the client returns: pydantic models named as in the SDK seed (004).

The connection and follow shapes are the server's own models (graphsvc.models),
re-exported under the seed's names, so client and server validate the same
fields. Response models ignore fields they do not know, so a newer server that
adds a field does not break an older client.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from ..models import (AcceptAllOut, Connection, ConnectionCount, ConnectionItem, ConnectionStats, ConnectionStatus,
                      Followed, FollowOut, FollowStats, PageOut, Paginated, Pagination, PersonOut)

# The seed's names (004): fetchConnections -> PaginatedResponse<EstablishedConnection>, ...
PaginatedResponse = Paginated
EstablishedConnection = ConnectionItem
PendingConnection = ConnectionItem
ConnectionActionResponse = Connection
ConnectionRecord = Connection

PostVisibility = Literal["public", "followers", "connections", "private"]


class Post(BaseModel):
    id: str
    authorId: str | None = None
    authorEmail: str | None = None
    visibility: PostVisibility
    pageId: str | None = None
    createdAt: str | None = None
    updatedAt: str | None = None


class InlinePost(BaseModel):
    """A post described in the visibility call itself, for feeds that keep posts elsewhere."""

    id: str
    authorId: str
    visibility: PostVisibility
    pageId: str | None = None


class Verdict(BaseModel):
    visible: bool
    reason: str


class PostVerdict(Verdict):
    postId: str


class VisibilityBatch(BaseModel):
    viewerId: str | None = None
    results: list[PostVerdict]

    def visible_ids(self) -> list[str]:
        """The ids a feed may show, in the order asked."""
        return [r.postId for r in self.results if r.visible]


class Degree(BaseModel):
    degree: Literal[1, 2, 3] | None
    path: list[PersonOut]


class Suggestion(BaseModel):
    user: PersonOut
    mutualCount: int


class BlockedPerson(BaseModel):
    id: str | None
    email: str | None
    blockedAt: str | None = None


class BlockOut(BaseModel):
    blocked: PersonOut
    created: bool


__all__ = [
    "AcceptAllOut", "BlockOut", "BlockedPerson", "Connection", "ConnectionActionResponse", "ConnectionCount",
    "ConnectionItem", "ConnectionRecord", "ConnectionStats", "ConnectionStatus", "Degree", "EstablishedConnection",
    "FollowOut", "FollowStats", "Followed", "InlinePost", "PageOut", "Paginated", "PaginatedResponse", "Pagination",
    "PendingConnection", "PersonOut", "Post", "PostVerdict", "PostVisibility", "Suggestion", "Verdict",
    "VisibilityBatch",
]
