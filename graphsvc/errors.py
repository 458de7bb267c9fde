"""The one error shape every failure takes: {"error": {"code", "message"}}."""

from __future__ import annotations


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


def from_driver(exc: BaseException) -> ApiError:
    """The answer for an error the Neo4j driver raised: the one place driver errors become
    statuses. Unreachable or transiently busy after the driver's retries is 503; a
    uniqueness constraint that a concurrent change won is 409; anything else is a 500."""
    from neo4j.exceptions import ConstraintError, ServiceUnavailable, SessionExpired, TransientError

    if isinstance(exc, (ServiceUnavailable, SessionExpired, OSError)):
        return Unavailable(f"Neo4j is unreachable: {exc.__class__.__name__}")
    if isinstance(exc, TransientError):
        return Unavailable("Neo4j is busy; retry", code="database_busy")
    if isinstance(exc, ConstraintError):
        return Conflict("a concurrent change got there first; retry", code="conflict")
    return ApiError("the database refused the request", code="internal", status=500)
