"""What the sync and async clients share: settings, the namespaces, and turning
answers into models or typed exceptions.

Each namespace method only *describes* its HTTP call (a `Call`) and hands it to
the client's `_run`; the sync client runs it and returns the model, the async
client returns an awaitable of it. So the namespaces, and with them the mapping
to the seed's names, exist once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Generic, Iterable, TypeVar
from urllib.parse import quote

import httpx
from pydantic import TypeAdapter

from .errors import GraphsvcError, error_for
from .models import (
    AcceptAllOut,
    Audience,
    BlockedPerson,
    BlockOut,
    Connection,
    ConnectionCount,
    ConnectionItem,
    ConnectionStats,
    ConnectionStatus,
    Degree,
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
    PersonOut,
    Post,
    PostVerdict,
    Relationships,
    SettingsOut,
    Suggestion,
    Verdict,
    VisibilityBatch,
)

R = TypeVar("R")

MEMBER_CONNECTIONS = "/client/community/connections"
STAFF_CONNECTIONS = "/community/connections"
# The server answers at most this many posts per visibility call; longer lists are sent in chunks.
VISIBILITY_BATCH = 1000
RETRY_STATUSES = frozenset({503})


@dataclass
class Call:
    """One HTTP call and the model its answer is parsed into (None: no body, 204)."""

    method: str
    path: str
    model: Any = None
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None

    def __post_init__(self) -> None:
        self.params = {k: v for k, v in self.params.items() if v is not None}
        if isinstance(self.json, dict):
            self.json = {k: v for k, v in self.json.items() if v is not None}


@dataclass
class Settings:
    base_url: str
    org: str
    token: str | Callable[[], str]
    user_id: str | None = None
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 0.25
    max_backoff: float = 8.0
    connections_prefix: str | None = None

    def headers(self) -> dict[str, str]:
        token = self.token() if callable(self.token) else self.token
        return {"orgid": self.org, "Authorization": f"Bearer {token}", "Accept": "application/json"}

    @property
    def prefix(self) -> str:
        # A client acting for members (service or staff token plus user_id) uses the staff
        # controller, as the SDK seed's service key does; member tokens use the client mirror.
        if self.connections_prefix:
            return self.connections_prefix
        return STAFF_CONNECTIONS if self.user_id else MEMBER_CONNECTIONS

    def delay(self, attempt: int, response: httpx.Response | None) -> float:
        """Exponential back-off with jitter; a Retry-After header, when given, wins."""
        after = response.headers.get("retry-after") if response is not None else None
        if after and after.replace(".", "", 1).isdigit():
            return min(float(after), self.max_backoff)
        base = min(self.backoff * (2 ** attempt), self.max_backoff)
        return base / 2 + random.uniform(0, base / 2)


def seg(value: str) -> str:
    """One path segment, quoted so that `?` or `#` cannot change the route. The server
    decodes `%2F` before routing, so a `/` could reach another route: no valid id or
    email has one, so such a value is refused here with the error the server gives."""
    value = str(value)
    if not value or "/" in value or value in (".", ".."):
        from .errors import InvalidId

        raise InvalidId(f"{value!r} is not a valid id: 1-128 letters, digits or _ - . :", status=400)
    return quote(value, safe="@:")


@lru_cache(maxsize=None)
def _adapter(model: Any) -> TypeAdapter:
    return TypeAdapter(model)


def parse(call: Call, response: httpx.Response) -> Any:
    if response.status_code >= 400:
        try:
            body = response.json()
        except ValueError:
            body = None
        raise error_for(response.status_code, body, call.method, str(response.request.url))
    if call.model is None or response.status_code == 204:
        return None
    return _adapter(call.model).validate_python(response.json())


def retryable(response: httpx.Response) -> bool:
    return response.status_code in RETRY_STATUSES


def transport_error(call: Call, exc: Exception) -> GraphsvcError:
    from .errors import TransportError

    return TransportError(f"{exc.__class__.__name__}: {exc}", method=call.method, url=call.path)


def chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Namespace(Generic[R]):
    def __init__(self, client: Any):
        self._client = client
        self._settings: Settings = client._settings

    def _run(self, call: Call) -> Any:
        return self._client._run(call)

    def _acting(self, user_id: str | None) -> str | None:
        return user_id or self._settings.user_id


class Connections(Namespace):
    """The SDK seed's `connections` module: each call acts on behalf of `user_id`
    (defaults to the client's `user_id`; member tokens may leave it out)."""

    def fetch_connections(self, user_id: str | None = None, page: int = 1, limit: int = 20,
                          status: str = "accepted") -> Paginated[ConnectionItem]:
        return self._run(Call("GET", self._settings.prefix, Paginated[ConnectionItem],
                              {"userId": self._acting(user_id), "page": page, "limit": limit, "status": status}))

    def fetch_connections_count(self, user_id: str | None = None) -> ConnectionCount:
        return self._run(Call("GET", f"{self._settings.prefix}/count", ConnectionCount,
                              {"userId": self._acting(user_id)}))

    def fetch_sent_pending_connections(self, user_id: str | None = None, page: int = 1,
                                       limit: int = 20) -> Paginated[ConnectionItem]:
        return self._run(Call("GET", f"{self._settings.prefix}/sent", Paginated[ConnectionItem],
                              {"userId": self._acting(user_id), "page": page, "limit": limit}))

    def fetch_received_pending_connections(self, user_id: str | None = None, page: int = 1,
                                           limit: int = 20) -> Paginated[ConnectionItem]:
        return self._run(Call("GET", f"{self._settings.prefix}/pending", Paginated[ConnectionItem],
                              {"userId": self._acting(user_id), "page": page, "limit": limit}))

    def accept_connection(self, connection_id: str, user_id: str | None = None) -> Connection:
        return self._respond(connection_id, "accept", user_id)

    def decline_connection(self, connection_id: str, user_id: str | None = None) -> Connection:
        return self._respond(connection_id, "reject", user_id)

    def remove_connection(self, connection_id: str, user_id: str | None = None) -> None:
        return self._run(Call("DELETE", f"{self._settings.prefix}/{seg(connection_id)}", None,
                              {"userId": self._acting(user_id)}))

    def fetch_stats(self, user_id: str | None = None) -> ConnectionStats:
        return self._run(Call("GET", f"{self._settings.prefix}/stats", ConnectionStats,
                              {"userId": self._acting(user_id)}))

    def accept_all(self, user_id: str | None = None) -> AcceptAllOut:
        return self._run(Call("POST", f"{self._settings.prefix}/accept-all", AcceptAllOut,
                              json={"userId": self._acting(user_id)}))

    def _respond(self, connection_id: str, action: str, user_id: str | None) -> Connection:
        return self._run(Call("PUT", f"{self._settings.prefix}/{seg(connection_id)}/respond", Connection,
                              json={"action": action, "userId": self._acting(user_id)}))


class Users(Namespace):
    """The SDK seed's nested `users` routes: the other person is named, the acting
    user is `acting_user_id` (defaults to the client's `user_id`)."""

    def request_connection(self, target_id: str, message: str | None = None, context: dict | None = None,
                           acting_user_id: str | None = None) -> Connection:
        """A pending request; if `target_id` had already asked, their request is accepted instead
        (the answer's `status` is then `accepted`)."""
        return self._run(Call("POST", f"{self._settings.prefix}/request", Connection, json={
            "targetId": target_id, "message": message, "context": context, "userId": self._acting(acting_user_id)}))

    def fetch_connection_status(self, user_id: str, acting_user_id: str | None = None) -> ConnectionStatus:
        return self._run(Call("GET", f"{self._settings.prefix}/status/{seg(user_id)}", ConnectionStatus,
                              {"userId": self._acting(acting_user_id)}))

    def remove_connection_by_user_id(self, user_id: str, acting_user_id: str | None = None) -> None:
        return self._run(Call("DELETE", f"{self._settings.prefix}/user/{seg(user_id)}", None,
                              {"userId": self._acting(acting_user_id)}))


class Follows(Namespace):
    """One-way follows of people (id or email) and pages (seed 000)."""

    def follow(self, following: str, following_type: str = "person", user_id: str | None = None) -> FollowOut:
        """`created` is False when the follow already existed (the server answered 200);
        `status` is "pending" when the person is protected and must approve (202)."""
        return self._run(Call("POST", "/client/community/follow", FollowOut, json={
            "following": following, "followingType": following_type, "userId": self._acting(user_id)}))

    def unfollow(self, following_id: str, following_type: str | None = None, user_id: str | None = None) -> None:
        return self._run(Call("DELETE", f"/client/community/follow/{seg(following_id)}", None,
                              {"followingType": following_type, "userId": self._acting(user_id)}))

    def fetch_followers(self, user_id: str | None = None, page: int = 1, limit: int = 20) -> Paginated[Followed]:
        return self._run(Call("GET", "/client/community/followers", Paginated[Followed],
                              {"userId": self._acting(user_id), "page": page, "limit": limit}))

    def fetch_following(self, following_type: str | None = None, user_id: str | None = None, page: int = 1,
                        limit: int = 20, status: str = "active") -> Paginated[Followed]:
        """`status="pending"`: one's own follow requests to protected people not yet approved."""
        return self._run(Call("GET", "/client/community/following", Paginated[Followed], {
            "followingType": following_type, "userId": self._acting(user_id), "page": page, "limit": limit,
            "status": status}))

    def fetch_follow_requests(self, user_id: str | None = None, page: int = 1,
                              limit: int = 20) -> Paginated[FollowRequest]:
        """Follow requests received by a protected member, newest first."""
        return self._run(Call("GET", "/client/community/follow-requests", Paginated[FollowRequest],
                              {"userId": self._acting(user_id), "page": page, "limit": limit}))

    def approve_follow_request(self, follower_id: str, user_id: str | None = None) -> None:
        return self._run(Call("POST", f"/client/community/follow-requests/{seg(follower_id)}/approve", None,
                              {"userId": self._acting(user_id)}))

    def reject_follow_request(self, follower_id: str, user_id: str | None = None) -> None:
        return self._run(Call("POST", f"/client/community/follow-requests/{seg(follower_id)}/reject", None,
                              {"userId": self._acting(user_id)}))

    def remove_follower(self, follower_id: str, user_id: str | None = None) -> None:
        """Remove that person's follow (or pending request) without blocking them."""
        return self._run(Call("DELETE", f"/client/community/followers/{seg(follower_id)}", None,
                              {"userId": self._acting(user_id)}))

    def fetch_familiar_followers(self, other_id: str, user_id: str | None = None, page: int = 1,
                                 limit: int = 20) -> Paginated[PersonOut]:
        """People the acting member follows who follow `other_id`."""
        return self._run(Call("GET", f"/client/community/familiar-followers/{seg(other_id)}", Paginated[PersonOut],
                              {"userId": self._acting(user_id), "page": page, "limit": limit}))

    def fetch_stats(self, user_id: str | None = None) -> FollowStats:
        return self._run(Call("GET", "/client/community/follow/stats", FollowStats,
                              {"userId": self._acting(user_id)}))


class Pages(Namespace):
    def put(self, page_id: str, name: str) -> PageOut:
        """Register or rename a page (staff and service tokens)."""
        return self._run(Call("PUT", f"/community/pages/{seg(page_id)}", PageOut, json={"name": name}))

    def get(self, page_id: str) -> PageOut:
        return self._run(Call("GET", f"/community/pages/{seg(page_id)}", PageOut))


class Posts(Namespace):
    def put(self, post_id: str, author_id: str, visibility: str, page_id: str | None = None) -> Post:
        """Register (or re-register) a post the feed will ask about (staff and service tokens)."""
        return self._run(Call("PUT", f"/community/posts/{seg(post_id)}", Post, json={
            "authorId": author_id, "visibility": visibility, "pageId": page_id}))

    def audience(self, post_id: str, limit: int = 100, cursor: str | None = None) -> Audience:
        """One page of the post's audience for fan-out; pass `nextCursor` back until it is None."""
        return self._run(Call("GET", f"/community/posts/{seg(post_id)}/audience", Audience,
                              {"limit": limit, "cursor": cursor}))

    def delete(self, post_id: str) -> None:
        return self._run(Call("DELETE", f"/community/posts/{seg(post_id)}"))


class Visibility(Namespace):
    def can_see(self, viewer_id: str, post_id: str) -> Verdict:
        return self._run(Call("GET", "/community/visibility", Verdict, {"viewerId": viewer_id, "postId": post_id}))

    def filter_visible(self, viewer_id: str, post_ids: list[str] | None = None,
                       posts: list[InlinePost | dict] | None = None) -> VisibilityBatch:
        """Verdicts for stored posts (`post_ids`) or posts described inline (`posts`), in the
        order given. Lists over 1,000 are sent as several calls, one round trip each."""
        if (post_ids is None) == (posts is None):
            raise ValueError("give exactly one of post_ids and posts")
        items = list(post_ids if post_ids is not None else
                     [p.model_dump(exclude_none=True) if isinstance(p, InlinePost) else p for p in posts])
        key = "postIds" if post_ids is not None else "posts"
        calls = [Call("POST", "/community/visibility", VisibilityBatch, json={"viewerId": viewer_id, key: part})
                 for part in chunks(items, VISIBILITY_BATCH)] or \
            [Call("POST", "/community/visibility", VisibilityBatch, json={"viewerId": viewer_id, key: []})]
        return self._client._gather(calls, _merge_batches)


def _merge_batches(batches: list[VisibilityBatch]) -> VisibilityBatch:
    results: list[PostVerdict] = [r for b in batches for r in b.results]
    return VisibilityBatch(viewerId=batches[0].viewerId, results=results)


class Blocks(Namespace):
    def block(self, target_id: str, user_id: str | None = None) -> BlockOut:
        """Removes follows both ways and any connection; `created` False if already blocked."""
        return self._run(Call("POST", "/client/community/blocks", BlockOut,
                              json={"targetId": target_id, "userId": self._acting(user_id)}))

    def unblock(self, target_id: str, user_id: str | None = None) -> None:
        return self._run(Call("DELETE", f"/client/community/blocks/{seg(target_id)}", None,
                              {"userId": self._acting(user_id)}))

    def fetch_blocks(self, user_id: str | None = None, page: int = 1, limit: int = 20) -> Paginated[BlockedPerson]:
        return self._run(Call("GET", "/client/community/blocks", Paginated[BlockedPerson],
                              {"userId": self._acting(user_id), "page": page, "limit": limit}))


class Graph(Namespace):
    """Traversals between the acting user and another person named by `user_id`."""

    def mutual(self, user_id: str, acting_user_id: str | None = None, page: int = 1,
               limit: int = 20) -> Paginated[PersonOut]:
        return self._run(Call("GET", f"{self._settings.prefix}/mutual/{seg(user_id)}", Paginated[PersonOut],
                              {"userId": self._acting(acting_user_id), "page": page, "limit": limit}))

    def degree(self, user_id: str, acting_user_id: str | None = None, max_depth: int | None = None) -> Degree:
        """Degrees of separation over accepted connections, at most `max_depth` hops (1-6, default 3)."""
        return self._run(Call("GET", f"/client/community/degree/{seg(user_id)}", Degree,
                              {"userId": self._acting(acting_user_id), "maxDepth": max_depth}))

    def relationships(self, user_ids: list[str], acting_user_id: str | None = None) -> Relationships:
        """Where the acting member stands with each of up to 100 people, in one call."""
        return self._run(Call("GET", "/client/community/relationships", Relationships,
                              {"ids": ",".join(user_ids), "userId": self._acting(acting_user_id)}))

    def suggestions(self, acting_user_id: str | None = None, page: int = 1, limit: int = 20) -> Paginated[Suggestion]:
        return self._run(Call("GET", "/client/community/suggestions", Paginated[Suggestion],
                              {"userId": self._acting(acting_user_id), "page": page, "limit": limit}))


class MemberSettings(Namespace):
    """The acting member's settings: whether their account is protected."""

    def get(self, user_id: str | None = None) -> SettingsOut:
        return self._run(Call("GET", "/client/community/settings", SettingsOut, {"userId": self._acting(user_id)}))

    def put(self, protected: bool, user_id: str | None = None) -> SettingsOut:
        """`protected=False` approves every pending follow request at once."""
        return self._run(Call("PUT", "/client/community/settings", SettingsOut, {"userId": self._acting(user_id)},
                              json={"protected": protected}))


class Mutes(Namespace):
    """Private feed preferences: a mute changes no follow or connection and tells nobody."""

    def mute(self, target_id: str, user_id: str | None = None) -> MuteOut:
        return self._run(Call("POST", "/client/community/mutes", MuteOut,
                              json={"targetId": target_id, "userId": self._acting(user_id)}))

    def unmute(self, target_id: str, user_id: str | None = None) -> None:
        return self._run(Call("DELETE", f"/client/community/mutes/{seg(target_id)}", None,
                              {"userId": self._acting(user_id)}))

    def fetch_mutes(self, user_id: str | None = None, page: int = 1, limit: int = 20) -> Paginated[Muted]:
        return self._run(Call("GET", "/client/community/mutes", Paginated[Muted],
                              {"userId": self._acting(user_id), "page": page, "limit": limit}))


class Events(Namespace):
    """The org's event feed (staff and service tokens), oldest first after a cursor."""

    def fetch_events(self, after: int = 0, limit: int = 100, types: list[str] | None = None) -> EventFeed:
        """Resume with `after=answer.next`: no gaps, no repeats. `types` filters by event type."""
        return self._run(Call("GET", "/community/events", EventFeed,
                              {"after": after, "limit": limit, "type": ",".join(types) if types else None}))


NAMESPACES = {"connections": Connections, "users": Users, "follows": Follows, "pages": Pages, "posts": Posts,
              "visibility": Visibility, "blocks": Blocks, "graph": Graph, "settings": MemberSettings,
              "mutes": Mutes, "events": Events}
