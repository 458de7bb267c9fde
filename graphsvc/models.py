"""Request and response shapes, validated at the edge and published in /openapi.json."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

T = TypeVar("T")



class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Query(BaseModel):
    # Unknown query parameters are ignored, as HTTP clients expect.
    model_config = ConfigDict(extra="ignore")


class ListQuery(Query):
    page: int = Field(1, ge=1, le=1_000_000, description="1-based page number")
    limit: int = Field(20, ge=1, le=100, description="Items per page")
    cursor: str | None = Field(None, min_length=1, max_length=2048,
                               description="Instead of `page`: the `nextCursor` of the previous answer")

    @property
    def skip(self) -> int:
        return (self.page - 1) * self.limit


class PageQuery(ListQuery):
    userId: str | None = Field(None, max_length=254, description="The member to act as (staff and service tokens)")


class ActingQuery(Query):
    userId: str | None = Field(None, max_length=254, description="The member to act as (staff and service tokens)")


class Pagination(BaseModel):
    page: int | None = Field(None, description="Page mode only")
    limit: int
    total: int
    totalPages: int | None = Field(None, description="Page mode only")
    hasMore: bool
    nextCursor: str | None = Field(description="Pass as `cursor` for the items after this page; null at the end")


class Paginated(BaseModel, Generic[T]):
    data: list[T]
    pagination: Pagination


class Error(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: Error


# --- follows and pages -------------------------------------------------------

class FollowIn(Strict):
    following: str = Field(min_length=1, max_length=254, description="A person's user id or email, or a page id",
                           examples=["bob@example.com"])
    followingType: Literal["person", "page"] = "person"
    userId: str | None = Field(None, max_length=254)


class Followed(BaseModel):
    type: Literal["person", "page"]
    id: str | None
    email: str | None = None
    name: str | None = None
    followedAt: str | None = None
    status: Literal["active", "pending"] | None = Field(None, description="In `following` lists: the follow's status")


class FollowOut(BaseModel):
    following: Followed
    created: bool = Field(description="True when this call made the follow or the request")
    status: Literal["active", "pending"] = Field(description="pending: a request the protected person must approve")


class FollowingQuery(PageQuery):
    followingType: Literal["person", "page"] | None = None
    status: Literal["active", "pending"] = Field("active", description="pending: one's own requests not yet approved")


class SettingsIn(Strict):
    protected: bool = Field(description="Followers need approval: a follow becomes a pending request")
    userId: str | None = Field(None, max_length=254)


class SettingsOut(BaseModel):
    protected: bool


class UnfollowQuery(ActingQuery):
    followingType: Literal["person", "page"] | None = None


class FollowStats(BaseModel):
    followers: int
    following: int


class PageIn(Strict):
    name: str = Field(min_length=1, max_length=200, examples=["Design Guild"])


class PageOut(BaseModel):
    id: str
    name: str
    followerCount: int
    createdAt: str | None = None
    updatedAt: str | None = None


# --- health ------------------------------------------------------------------

class Health(BaseModel):
    status: str
    detail: str | None = None




# --- connections -------------------------------------------------------------

class ConnectionRequestIn(Strict):
    targetId: str = Field(min_length=1, max_length=254, description="The person to connect with: user id or email",
                          examples=["bob@example.com"])
    message: str | None = Field(None, max_length=1000, examples=["Hi Bob — saw your design talk."])
    context: dict[str, Any] | None = Field(None, examples=[{"event": "figma-conf-2026"}],
                                           description="Any JSON object, stored and returned as given (4 KiB at most)")
    userId: str | None = Field(None, max_length=254)


class RespondIn(Strict):
    action: Literal["accept", "reject"]
    userId: str | None = Field(None, max_length=254)


class PersonOut(BaseModel):
    id: str | None
    email: str | None


class FollowRequest(BaseModel):
    user: PersonOut
    requestedAt: str


class Connection(BaseModel):
    id: str
    status: Literal["pending", "accepted", "rejected"]
    requesterId: str | None
    requesterEmail: str | None
    targetId: str | None
    targetEmail: str | None
    message: str | None
    context: dict[str, Any] | None
    requestedAt: str | None
    respondedAt: str | None


class ConnectionItem(Connection):
    user: PersonOut


class ConnectionListQuery(PageQuery):
    status: Literal["accepted", "pending", "rejected"] = "accepted"


class ConnectionCount(BaseModel):
    count: int


class ConnectionStats(BaseModel):
    total: int
    accepted: int
    pending: int
    sent: int


class ConnectionStatus(BaseModel):
    status: Literal["none", "pending_sent", "pending_received", "accepted", "rejected"]
    connectionId: str | None


class AcceptAllOut(BaseModel):
    accepted: int


class AcceptAllIn(Strict):
    userId: str | None = Field(None, max_length=254)


# --- posts, visibility, blocks, graph ------------------------------------------

Visibility = Literal["public", "followers", "connections", "private"]
MAX_BATCH = 1000  # posts per visibility call


class PostIn(Strict):
    authorId: str = Field(min_length=1, max_length=254, description="The author's user id or email")
    visibility: Visibility
    pageId: str | None = Field(None, min_length=1, max_length=128)


class AudienceQuery(Query):
    limit: int = Field(100, ge=1, le=1000, description="People per page")
    cursor: str | None = Field(None, max_length=512, description="`nextCursor` of the previous page")


class AudienceMember(BaseModel):
    userId: str
    reason: Literal["connection", "follower", "page_follower"]


class Audience(BaseModel):
    data: list[AudienceMember]
    nextCursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end")


class PostOut(BaseModel):
    id: str
    authorId: str | None
    authorEmail: str | None
    visibility: Visibility
    pageId: str | None
    createdAt: str | None
    updatedAt: str | None


class VisibilityQuery(Query):
    viewerId: str = Field(min_length=1, max_length=254)
    postId: str = Field(min_length=1, max_length=128)


class Verdict(BaseModel):
    visible: bool
    reason: str = Field(description="author, public, connection, follower, page_follower, blocked, private, "
                                    "not_connected, not_follower, unknown_viewer or not_found")
    muted: bool = Field(description="The viewer has muted the author: a feed drops the post, a profile still "
                                    "shows it; `visible` and `reason` do not change with a mute")


class PostVerdict(Verdict):
    postId: str


class InlinePost(Strict):
    id: str = Field(min_length=1, max_length=128)
    authorId: str = Field(min_length=1, max_length=254)
    visibility: Visibility
    pageId: str | None = Field(None, min_length=1, max_length=128)


class BatchIn(Strict):
    viewerId: str = Field(min_length=1, max_length=254)
    postIds: list[str] | None = Field(None, min_length=1, max_length=MAX_BATCH)
    posts: list[InlinePost] | None = Field(None, min_length=1, max_length=MAX_BATCH)

    @model_validator(mode="after")
    def one_kind(self) -> "BatchIn":
        if (self.postIds is None) == (self.posts is None):
            raise ValueError("give exactly one of postIds and posts")
        return self


class BatchOut(BaseModel):
    viewerId: str
    results: list[PostVerdict]


class BlockIn(Strict):
    targetId: str = Field(min_length=1, max_length=254, description="The person to block: user id or email")
    userId: str | None = Field(None, max_length=254)


class Blocked(BaseModel):
    id: str | None
    email: str | None
    blockedAt: str | None


class BlockOut(BaseModel):
    blocked: PersonOut
    created: bool


class MuteIn(Strict):
    targetId: str = Field(min_length=1, max_length=254, description="The person to mute: user id or email")
    userId: str | None = Field(None, max_length=254)


class Muted(BaseModel):
    id: str | None
    email: str | None
    mutedAt: str | None


class MuteOut(BaseModel):
    muted: PersonOut
    created: bool


class Relationship(BaseModel):
    userId: str = Field(description="The id as given")
    following: bool = Field(description="The acting member actively follows them")
    followRequested: bool = Field(description="The acting member's follow request to them is pending")
    followedBy: bool = Field(description="They actively follow the acting member")
    connection: Literal["none", "pending_sent", "pending_received", "accepted", "rejected"]
    connectionId: str | None
    blocking: bool
    blockedBy: bool
    muting: bool
    mutualConnections: int


class Relationships(BaseModel):
    data: list[Relationship]


class RelationshipsQuery(ActingQuery):
    ids: str = Field(min_length=1, max_length=4096,
                     description="1-100 comma-separated user ids or emails (4,096 characters at most)",
                     examples=["usr_bob,carol@example.com"])


MAX_DEGREE = 6  # CONTRACT.md: maxDepth 1-6


class DegreeQuery(ActingQuery):
    maxDepth: int = Field(3, ge=1, le=MAX_DEGREE, description="Search at most this many hops (1-6)")


class Degree(BaseModel):
    degree: int | None = Field(ge=1, le=MAX_DEGREE, description="Hops on the shortest path; null past maxDepth")
    path: list[PersonOut]


class Suggestion(BaseModel):
    user: PersonOut
    mutualCount: int


# --- events ------------------------------------------------------------------

class Event(BaseModel):
    id: str = Field(description="Unique and stable: receivers de-duplicate on it")
    cursor: int = Field(description="Per-org position; pass it as `after` to resume")
    org: str
    type: str
    actor: str | None
    subject: str | None
    payload: dict
    createdAt: str


class EventFeed(BaseModel):
    data: list[Event]
    next: int = Field(description="The cursor to pass as `after` next time")
    hasMore: bool
