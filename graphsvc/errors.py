"""Every error the service answers, in one place: the shape, the status families, and
the catalogue of codes.

An error answer is `{"error": {"code", "message"}}`. Each code the service can send is
a `Code` below, with its status and a default message; code raises `SELF_FOLLOW()`
(or `SELF_FOLLOW("a more specific message")`), the OpenAPI document lists the codes
per status, and a test holds the Python client's typed errors to this catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass


class ApiError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        if status:
            self.status = status

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}


class BadRequest(ApiError):
    status, code = 400, "bad_request"


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class NotFound(ApiError):
    status, code = 404, "not_found"


class Conflict(ApiError):
    status, code = 409, "conflict"


class TooLarge(ApiError):
    status, code = 413, "payload_too_large"


class TooMany(ApiError):
    status, code = 429, "limit_reached"


class Unavailable(ApiError):
    status, code = 503, "database_unavailable"


FAMILIES: dict[int, type[ApiError]] = {cls.status: cls for cls in ApiError.__subclasses__()}
CATALOGUE: dict[str, "Code"] = {}


@dataclass(frozen=True)
class Code:
    """One error code: its status and the message it answers unless the raiser says more."""

    status: int
    code: str
    message: str

    def __post_init__(self) -> None:
        CATALOGUE[self.code] = self

    def __call__(self, message: str | None = None) -> ApiError:
        family = FAMILIES.get(self.status, ApiError)
        return family(message or self.message, code=self.code, status=self.status)


# 400: the request itself is wrong; nothing was changed.
BAD_REQUEST = Code(400, "bad_request", "bad request")
HTTP_ERROR = Code(400, "http_error", "the request could not be routed")
VALIDATION_ERROR = Code(400, "validation_error", "the request does not match the schema")
INVALID_JSON = Code(400, "invalid_json", "request body is not valid JSON")
INVALID_TEXT = Code(400, "invalid_text", "text must be valid Unicode: UTF-8, with no lone surrogates")
INVALID_ID = Code(400, "invalid_id", "ids are 1-128 letters, digits or _ - . :")
INVALID_EMAIL = Code(400, "invalid_email", "not a valid email address")
MISSING_ORG = Code(400, "missing_org", "the orgid header is required")
USER_REQUIRED = Code(400, "user_required", "a service token must name the member it acts for in userId")
USER_CONFLICT = Code(400, "user_conflict", "userId in the query and in the body disagree")
REPEATED_PARAMETER = Code(400, "repeated_parameter", "a query parameter was given more than once")
SELF_FOLLOW = Code(400, "self_follow", "you cannot follow yourself")
SELF_CONNECTION = Code(400, "self_connection", "you cannot connect with yourself")
SELF_BLOCK = Code(400, "self_block", "you cannot block yourself")
SELF_DEGREE = Code(400, "self_degree", "that is you")
SELF_MUTE = Code(400, "self_mute", "you cannot mute yourself")
BAD_CURSOR = Code(400, "bad_cursor", "the cursor is malformed or was issued for another list")
CONTEXT_TOO_LARGE = Code(400, "context_too_large", "context is too large")
URL_NOT_ALLOWED = Code(400, "url_not_allowed", "webhook urls may not point at loopback or private addresses")
URL_CREDENTIALS = Code(400, "url_credentials", "webhook urls may not carry a user name or password")
QUERY_REFUSED = Code(400, "query_refused", "only read-only queries may run here")
QUERY_TIMEOUT = Code(400, "query_timeout", "the query ran past its time limit and was stopped by Neo4j")
QUERY_TOO_LARGE = Code(400, "query_too_large", "the query needs more memory than allowed")
CYPHER_SYNTAX = Code(400, "cypher_syntax", "the query is not valid Cypher")
CYPHER_ERROR = Code(400, "cypher_error", "Neo4j refused the query")
INVALID_PARAMS = Code(400, "invalid_params", "the query parameters are not valid")
# 401: who is calling is unknown.
UNAUTHORIZED = Code(401, "unauthorized", "missing bearer token")
INVALID_TOKEN = Code(401, "invalid_token", "invalid token")
TOKEN_EXPIRED = Code(401, "token_expired", "token expired")
# 403: known, but not allowed.
FORBIDDEN = Code(403, "forbidden", "this role may not do this")
ORG_MISMATCH = Code(403, "org_mismatch", "token belongs to another org")
ACTING_USER_FORBIDDEN = Code(403, "acting_user_forbidden", "a member token acts only as itself")
NOT_TARGET = Code(403, "not_target", "only the person asked may answer a request")
BLOCKED = Code(403, "blocked", "a block stands between you and this person")
# 404: nothing by that name (in this org).
NOT_FOUND = Code(404, "not_found", "not found")
PAGE_NOT_FOUND = Code(404, "page_not_found", "no such page")
POST_NOT_FOUND = Code(404, "post_not_found", "no such post")
CONNECTION_NOT_FOUND = Code(404, "connection_not_found", "no such connection")
NOT_FOLLOWING = Code(404, "not_following", "you do not follow that")
NOT_BLOCKED = Code(404, "not_blocked", "you do not block this person")
WEBHOOK_NOT_FOUND = Code(404, "webhook_not_found", "no such webhook")
REPORT_NOT_FOUND = Code(404, "report_not_found", "no such report; see GET /community/analytics")
FOLLOW_REQUEST_NOT_FOUND = Code(404, "follow_request_not_found", "no pending follow request from this person")
FOLLOWER_NOT_FOUND = Code(404, "follower_not_found", "this person neither follows you nor asked to")
NOT_MUTED = Code(404, "not_muted", "you have not muted this person")
METHOD_NOT_ALLOWED = Code(405, "method_not_allowed", "method not allowed")
# 409: the state of things does not allow it (now).
CONFLICT = Code(409, "conflict", "a concurrent change got there first; retry")
ALREADY_CONNECTED = Code(409, "already_connected", "you are already connected")
ALREADY_PENDING = Code(409, "already_pending", "your request is already pending")
NOT_PENDING = Code(409, "not_pending", "the request is no longer pending")
NOT_LIVE = Code(409, "not_live", "a rejected request is history; there is nothing to withdraw")
AMBIGUOUS_FOLLOWING = Code(409, "ambiguous_following", "both a person and a page have this id; give followingType")
PAYLOAD_TOO_LARGE = Code(413, "payload_too_large", "request body too large")
# 429: a per-member cap.
LIMIT_REACHED = Code(429, "limit_reached", "limit reached")
FOLLOW_LIMIT = Code(429, "follow_limit", "you follow the most one member may")
PENDING_LIMIT = Code(429, "pending_limit", "you have the most requests waiting for an answer one member may")
# 5xx: the service's side.
INTERNAL = Code(500, "internal", "internal error")
DATABASE_UNAVAILABLE = Code(503, "database_unavailable", "Neo4j is unreachable")
DATABASE_BUSY = Code(503, "database_busy", "Neo4j is busy; retry")
SECRET_KEY_MISSING = Code(503, "secret_key_missing", "no GRAPHSVC_SECRET_KEY to seal webhook secrets with")


def from_driver(exc: BaseException) -> ApiError:
    """The answer for an error the Neo4j driver raised: the one place driver errors become
    statuses. Unreachable, transiently busy after the driver's retries, or no free pooled
    connection within the timeout is 503; a uniqueness constraint that a concurrent change
    won is 409; anything else is a 500."""
    from neo4j.exceptions import (ConnectionAcquisitionTimeoutError, ConstraintError, ServiceUnavailable,
                                  SessionExpired, TransientError)

    if isinstance(exc, (ServiceUnavailable, SessionExpired, OSError)):
        return DATABASE_UNAVAILABLE(f"Neo4j is unreachable: {exc.__class__.__name__}")
    if isinstance(exc, TransientError):
        return DATABASE_BUSY()
    if isinstance(exc, ConnectionAcquisitionTimeoutError):
        return DATABASE_BUSY("every connection to Neo4j is in use; retry")
    if isinstance(exc, ConstraintError):
        return CONFLICT()
    return INTERNAL("the database refused the request")
