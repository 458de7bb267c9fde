"""The thin HTTP layer: declare an endpoint once, get parsing, auth, errors and docs.

Each endpoint names its pydantic models for body, query and response; the same
models validate requests and generate `/openapi.json`, so the two cannot drift.
Handlers receive a `Ctx` and return a payload; domain work happens elsewhere.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable
from urllib.parse import unquote_to_bytes

import orjson
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..auth import Principal, acting_person, authenticate, require_role
from ..config import Settings
from ..db import Database
from ..domain import identity
from ..errors import (
    INTERNAL,
    INVALID_JSON,
    INVALID_TEXT,
    PAYLOAD_TOO_LARGE,
    REPEATED_PARAMETER,
    USER_CONFLICT,
    VALIDATION_ERROR,
    ApiError,
)
from ..people import PersonRef
from ..text import ESCAPED_SURROGATE_RE, first_invalid, printable, repaired

log = logging.getLogger("graphsvc.http")


@dataclass
class Reply:
    """A payload with a status other than the endpoint's default."""

    status: int
    body: Any


@dataclass
class Ctx:
    request: Request
    principal: Principal
    db: Database
    settings: Settings
    body: Any = None
    query: Any = None
    path: dict = field(default_factory=dict)

    @property
    def org(self) -> str:
        return self.principal.org

    def acting(self) -> PersonRef:
        """The member this call acts as: the token's own, or `userId` (query or body) for
        staff/service. The query string counts on every call, whatever models it declares."""
        in_query = self.request.query_params.get("userId") or None
        in_body = getattr(self.body, "userId", None)
        if in_query and in_body and in_query != in_body:
            raise USER_CONFLICT()
        return acting_person(self.principal, in_query or in_body)


Handler = Callable[[Ctx], Awaitable[Any]]


@dataclass
class Endpoint:
    """One route: what it parses, who may call it, what it answers. `status` is the usual
    success status and `also` any other the handler may answer with a `Reply` (a follow
    answers 201 when new and 200 when it already existed)."""

    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: Any = None
    status: int = 200
    also: tuple[int, ...] = ()
    roles: tuple[str, ...] = ("customer", "staff", "service")
    errors: tuple[int, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        self.description = self.description or (self.handler.__doc__ or "").strip()


class JSON(JSONResponse):
    """orjson instead of the standard library: a 1,000-verdict visibility answer encodes
    ten times faster, with the same compact UTF-8 output. What orjson refuses and
    the standard library takes (a member's `context` nested 300 deep, an integer past
    64 bits) goes through the standard library as before, never a 500."""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except orjson.JSONEncodeError:
            pass
        try:
            return super().render(content)
        except (UnicodeEncodeError, ValueError):
            # Only text stored before the edge refused lone surrogates (and NaN beside them:
            # the standard encoder refuses it) gets here: serve it with U+FFFD (and null)
            # rather than fail every read of it, and say where the fix is.
            log.warning("an answer held text that is not valid Unicode; served with U+FFFD. "
                        "`graphsvc check` finds such stored text and `--repair` fixes it")
            return super().render(repaired(content))


def error_response(exc: ApiError) -> JSONResponse:
    body = exc.body()
    body["error"]["message"] = printable(str(body["error"]["message"]))  # may quote the caller's text
    return JSON(body, status_code=exc.status)


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ())) or "body"
        parts.append(f"{where}: {err.get('msg')}")
    return "; ".join(parts)


async def _read_json(request: Request, cap: int) -> Any:
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > cap:
        raise PAYLOAD_TOO_LARGE(f"request body over {cap} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise PAYLOAD_TOO_LARGE(f"request body over {cap} bytes")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw:
        return {}
    return parse_json(raw)


def _refuse_constant(name: str) -> Any:
    raise INVALID_JSON(f"{name} is not a JSON number")


def _finite_float(literal: str) -> float:
    value = float(literal)
    if value in (float("inf"), float("-inf")):
        raise INVALID_JSON(f"number out of range: {literal[:40]}")
    return value


def parse_json(raw: bytes) -> Any:
    """A request body as JSON, refusing what cannot be stored and answered as given.

    UTF-8 only (CONTRACT.md's clients send UTF-8; json.loads would also guess UTF-16 and
    UTF-32, which nobody sends on purpose). `NaN`, `Infinity` and numbers that overflow a
    float (`1e999`) are refused: stored, they came back as null. So is a lone surrogate
    escape (`"\\udc80"`) anywhere, key or value: no UTF-8 encoder takes it, so it could
    neither be written to Neo4j nor answered.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise INVALID_TEXT(f"request body is not valid UTF-8 (byte {exc.start})") from None
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
        where = first_invalid(value) if ESCAPED_SURROGATE_RE.search(text) else None
    except (ValueError, RecursionError):
        # RecursionError: nesting deeper than the parser's stack (`[[[[...`) is bad input too.
        raise INVALID_JSON() from None
    if where:
        raise INVALID_TEXT(f"{where} holds a lone UTF-16 surrogate, which is not valid Unicode")
    return value


def _check_raw_text(request: Request) -> None:
    """Refuse a path or query string whose percent-escapes are not UTF-8. Starlette and
    uvicorn decode them leniently (bad bytes become U+FFFD), so a free-text parameter
    would otherwise go on with text the caller never sent."""
    scope = request.scope
    for where, raw in (("path", scope.get("raw_path") or b""), ("query string", scope.get("query_string") or b"")):
        if b"%" in raw or not raw.isascii():
            try:
                unquote_to_bytes(raw).decode("utf-8")
            except UnicodeDecodeError:
                raise INVALID_TEXT(f"the {where} is not valid UTF-8 once percent-decoded") from None


def _validate(model: type[BaseModel], data: Any, where: str) -> BaseModel:
    if not isinstance(data, dict):
        raise VALIDATION_ERROR(f"{where} must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise VALIDATION_ERROR(_validation_message(exc)) from None


def _query_dict(request: Request, model: type[BaseModel]) -> dict:
    """The query string as a dict. A parameter given twice is refused unless the model
    lists it in `repeatable`: `?userId=a&userId=b` must not quietly act as b."""
    params = request.query_params
    allowed = getattr(model, "repeatable", frozenset())
    repeated = sorted(k for k in set(params.keys()) if k not in allowed and len(params.getlist(k)) > 1)
    if repeated:
        raise REPEATED_PARAMETER(f"query parameter given more than once: {', '.join(repeated)}")
    return dict(params)


def to_route(ep: Endpoint) -> Route:
    async def run(request: Request) -> Response:
        app = request.app.state
        request.state.route = ep.path
        principal = authenticate(request.headers, app.settings)
        request.state.principal = principal  # before the role check, so refusals are attributed
        require_role(principal, *ep.roles)
        _check_raw_text(request)
        ctx = Ctx(request, principal, app.db, app.settings, path=dict(request.path_params))
        if ep.query is not None:
            ctx.query = _validate(ep.query, _query_dict(request, ep.query), "query")
        if ep.body is not None:
            ctx.body = _validate(ep.body, await _read_json(request, app.settings.max_body_bytes), "body")
        await identity.sign_in(app.db, principal)
        result = await ep.handler(ctx)
        if isinstance(result, Response):
            return result
        status, body = (result.status, result.body) if isinstance(result, Reply) else (ep.status, result)
        if status == 204 or body is None:
            return Response(status_code=204)
        if isinstance(body, BaseModel):
            body = body.model_dump(mode="json")
        return JSON(body, status_code=status)

    run.__name__ = ep.handler.__name__
    return Route(ep.path, run, methods=[ep.method])


class AccessLog:
    """The one access log line per request (JSON, with the request id that the answer's
    `x-request-id` header carries), and request metrics. `graphsvc serve` turns uvicorn's
    own access log off, so a request is not logged twice."""

    # A caller's request id is echoed and logged only if it is short and plain: it goes into a
    # response header and into the log line, so nothing that could forge either is taken.
    REQUEST_ID_RE = re.compile(rb"[A-Za-z0-9._:@/+=-]{1,128}")

    def __init__(self, app: Any, observe: Callable[[str, str, int, float], None]):
        self.app = app
        self.observe = observe

    @classmethod
    def request_id(cls, scope: dict) -> str:
        """The caller's `x-request-id` when it is a plain token, else a new one."""
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id" and cls.REQUEST_ID_RE.fullmatch(value):
                return value.decode("ascii")
        return uuid.uuid4().hex

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = 500
        rid = self.request_id(scope)
        scope.setdefault("state", {})["request_id"] = rid

        async def send_wrapper(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", rid.encode("ascii"))]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - started
            state = scope.get("state", {})
            # Endpoints name their template; other matched routes (/readyz, ...) are fixed paths.
            # Unmatched paths share one label so a scan cannot blow up the metric's cardinality.
            template = state.get("route") or (scope["path"] if status != 404 else "unmatched")
            self.observe(scope["method"], template, status, elapsed)
            principal = state.get("principal")
            log.info(json.dumps({
                "method": scope["method"], "path": scope["path"], "route": template, "status": status,
                "ms": round(elapsed * 1000, 2), "requestId": rid,
                "org": getattr(principal, "org", None), "sub": getattr(principal, "sub", None),
                "role": getattr(principal, "role", None),
            }))


class ServerErrors:
    """The last resort for an unexpected exception: log it once and answer 500 in the
    error shape, on a connection that stays usable.

    Starlette's own last resort (ServerErrorMiddleware) sends its 500 and then re-raises,
    and uvicorn answers a re-raised exception by closing the socket: a keep-alive client
    then loses its next request. Installed inside that middleware, this one never
    re-raises once it has answered. If the answer had already started, nothing can be
    said any more; the exception goes on and the connection is closed, as it must be.
    """

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def send_wrapper(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            if started:
                raise
            logging.getLogger("graphsvc").exception("unhandled error on %s %s", scope["method"], scope["path"])
            await error_response(INTERNAL())(scope, receive, send)
