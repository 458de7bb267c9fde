"""Typed exceptions: one class per status, and a subclass per error code the service
documents, so callers catch `AlreadyPending` instead of comparing strings.

Every class carries `status`, `code`, `message` and the raw `body`; an unknown code
still maps to its status class, so a new server-side code never escapes as a
generic error.
"""

from __future__ import annotations

from typing import Any


class GraphsvcError(Exception):
    """Any error answer from graphsvc: `{"error": {"code", "message"}}`."""

    status: int = 0
    code: str = "error"

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None,
                 body: Any = None, method: str = "", url: str = ""):
        super().__init__(message)
        self.message = message
        self.status = status if status is not None else type(self).status
        self.code = code or type(self).code
        self.body = body
        self.method, self.url = method, url

    def __str__(self) -> str:
        where = f" ({self.method} {self.url})" if self.method else ""
        return f"{self.status} {self.code}: {self.message}{where}"


class TransportError(GraphsvcError):
    """The service could not be reached at all (connection refused, timeout)."""

    code = "transport_error"


class BadRequestError(GraphsvcError):
    status, code = 400, "bad_request"


class UnauthorizedError(GraphsvcError):
    status, code = 401, "unauthorized"


class ForbiddenError(GraphsvcError):
    status, code = 403, "forbidden"


class NotFoundError(GraphsvcError):
    status, code = 404, "not_found"


class MethodNotAllowedError(GraphsvcError):
    status, code = 405, "method_not_allowed"


class ConflictError(GraphsvcError):
    status, code = 409, "conflict"


class PayloadTooLargeError(GraphsvcError):
    status, code = 413, "payload_too_large"


class UnprocessableError(GraphsvcError):
    status, code = 422, "validation_error"


class LimitReachedError(GraphsvcError):
    status, code = 429, "limit_reached"


class ServerError(GraphsvcError):
    status, code = 500, "internal"


class UnavailableError(GraphsvcError):
    """Neo4j unreachable or busy; the client has already retried with back-off."""

    status, code = 503, "database_unavailable"


# --- one class per documented code ---------------------------------------------

class ValidationError(BadRequestError):
    code = "validation_error"


class InvalidJson(BadRequestError):
    code = "invalid_json"


class InvalidText(BadRequestError):
    code = "invalid_text"


class InvalidId(BadRequestError):
    code = "invalid_id"


class InvalidEmail(BadRequestError):
    code = "invalid_email"


class MissingOrg(BadRequestError):
    code = "missing_org"


class UserRequired(BadRequestError):
    """A service token must name the member it acts for (`user_id`)."""

    code = "user_required"


class SelfFollow(BadRequestError):
    code = "self_follow"


class SelfConnection(BadRequestError):
    code = "self_connection"


class ContextTooLarge(BadRequestError):
    code = "context_too_large"


class SelfDegree(BadRequestError):
    code = "self_degree"


class InvalidToken(UnauthorizedError):
    code = "invalid_token"


class TokenExpired(UnauthorizedError):
    code = "token_expired"


class OrgMismatch(ForbiddenError):
    code = "org_mismatch"


class ActingUserForbidden(ForbiddenError):
    code = "acting_user_forbidden"


class NotTarget(ForbiddenError):
    """Only the person asked may answer a connection request."""

    code = "not_target"


class Blocked(ForbiddenError):
    code = "blocked"


class ConnectionNotFound(NotFoundError):
    code = "connection_not_found"


class PageNotFound(NotFoundError):
    code = "page_not_found"


class PostNotFound(NotFoundError):
    code = "post_not_found"


class NotFollowing(NotFoundError):
    code = "not_following"


class AlreadyConnected(ConflictError):
    code = "already_connected"


class AlreadyPending(ConflictError):
    code = "already_pending"


class NotPending(ConflictError):
    code = "not_pending"


class FollowLimit(LimitReachedError):
    code = "follow_limit"


class PendingLimit(LimitReachedError):
    code = "pending_limit"


class DatabaseBusy(UnavailableError):
    code = "database_busy"


class SecretKeyMissing(UnavailableError):
    """The service has no key to seal webhook signing secrets with (GRAPHSVC_SECRET_KEY)."""

    code = "secret_key_missing"



class HttpError(BadRequestError):
    """The request could not be routed (its status is the one answered)."""

    code = "http_error"


class UserConflict(BadRequestError):
    code = "user_conflict"


class RepeatedParameter(BadRequestError):
    code = "repeated_parameter"


class SelfBlock(BadRequestError):
    code = "self_block"


class UrlNotAllowed(BadRequestError):
    code = "url_not_allowed"


class UrlCredentials(BadRequestError):
    """A webhook url with a user name or password; deliveries are authenticated by signature."""

    code = "url_credentials"


class QueryRefused(BadRequestError):
    code = "query_refused"


class QueryTimeout(BadRequestError):
    code = "query_timeout"


class QueryTooLarge(BadRequestError):
    code = "query_too_large"


class CypherSyntax(BadRequestError):
    code = "cypher_syntax"


class CypherError(BadRequestError):
    code = "cypher_error"


class InvalidParams(BadRequestError):
    code = "invalid_params"


class NotBlocked(NotFoundError):
    code = "not_blocked"


class WebhookNotFound(NotFoundError):
    code = "webhook_not_found"


class ReportNotFound(NotFoundError):
    code = "report_not_found"


class NotLive(ConflictError):
    """A rejected request is history: there is nothing to withdraw."""

    code = "not_live"


class AmbiguousFollowing(ConflictError):
    """A person and a page share the id: say which with followingType."""

    code = "ambiguous_following"


class FollowRequestNotFound(NotFoundError):
    code = "follow_request_not_found"


class FollowerNotFound(NotFoundError):
    code = "follower_not_found"


class NotMuted(NotFoundError):
    code = "not_muted"


class SelfMute(BadRequestError):
    code = "self_mute"


class BadCursor(BadRequestError):
    """A cursor that is malformed or was issued for another list."""

    code = "bad_cursor"

def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


BY_STATUS: dict[int, type[GraphsvcError]] = {
    cls.status: cls for cls in GraphsvcError.__subclasses__() if cls.status and cls is not TransportError
}
BY_CODE: dict[str, type[GraphsvcError]] = {
    cls.code: cls for cls in _subclasses(GraphsvcError) if cls not in BY_STATUS.values()
}


def error_for(status: int, body: Any, method: str = "", url: str = "") -> GraphsvcError:
    """The most specific exception for an error answer."""
    code, message = None, f"HTTP {status}"
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        code = body["error"].get("code")
        message = body["error"].get("message") or message
    cls = BY_CODE.get(code or "")
    if cls is None or cls.status != status:
        cls = BY_STATUS.get(status) or (ServerError if status >= 500 else BadRequestError)
    return cls(message, status=status, code=code, body=body, method=method, url=url)
