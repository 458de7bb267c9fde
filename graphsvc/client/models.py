"""What the client returns: pydantic models named as in the SDK seed (004).

The connection and follow shapes are the server's own models (graphsvc.models),
re-exported under the seed's names, so client and server validate the same
fields. Response models ignore fields they do not know, so a newer server that
adds a field does not break an older client.
"""

from __future__ import annotations

from ..models import (
    AcceptAllOut,
    Audience,
    BatchOut,
    Blocked,
    BlockOut,
    Connection,
    ConnectionCount,
    ConnectionItem,
    ConnectionStats,
    ConnectionStatus,
    Degree,
    Event,
    EventFeed,
    Followed,
    FollowOut,
    FollowRequest,
    FollowStats,
    InlinePost,
    Muted,
    MuteOut,
    PageOut,
    Paginated,
    Pagination,
    PersonOut,
    PostOut,
    PostVerdict,
    Relationship,
    Relationships,
    SettingsOut,
    Suggestion,
    Verdict,
    Visibility,
)

# The seed's names (004): fetchConnections -> PaginatedResponse<EstablishedConnection>, ...
PaginatedResponse = Paginated
EstablishedConnection = ConnectionItem
PendingConnection = ConnectionItem
ConnectionActionResponse = Connection
ConnectionRecord = Connection

PostVisibility = Visibility
Post = PostOut
BlockedPerson = Blocked


class VisibilityBatch(BatchOut):
    def visible_ids(self) -> list[str]:
        """The ids a feed may show, in the order asked."""
        return [r.postId for r in self.results if r.visible]


__all__ = [
    "Audience", "FollowRequest", "MuteOut", "Muted", "Relationship", "Relationships", "SettingsOut",
    "AcceptAllOut", "BlockOut", "BlockedPerson", "Connection", "ConnectionActionResponse", "ConnectionCount",
    "ConnectionItem", "ConnectionRecord", "ConnectionStats", "ConnectionStatus", "Degree", "EstablishedConnection",
    "Event", "EventFeed",
    "FollowOut", "FollowStats", "Followed", "InlinePost", "PageOut", "Paginated", "PaginatedResponse", "Pagination",
    "PendingConnection", "PersonOut", "Post", "PostVerdict", "PostVisibility", "Suggestion", "Verdict",
    "VisibilityBatch",
]
