"""/openapi.json, built from the endpoint registry and the same pydantic models
that validate requests; /docs, Swagger UI over it (from the swagger-ui-bundle-v2 package,
no outside assets), where a person authorizes with a token and an orgid and tries any
call; and /docs/reference, a plain page that renders it for reading.

Examples are the seeds' own values (Alice, Bob, `usr_abc123`, `con_xyz789`, the
design-talk request, the 124/98/12/14 stats widget) so the document reads like
the product it describes. A model without a hand-written example still gets one,
built from its schema, so no operation is ever documented without an example.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route
from swagger_ui_bundle import swagger_ui_path

from .. import __version__
from ..errors import CATALOGUE, NOT_FOUND
from ..models import ErrorBody, Health
from .endpoint import Endpoint

STATUS_TEXT = {200: "OK", 201: "Created", 204: "No content", 400: "Bad input", 401: "Missing, bad or expired token",
               403: "Forbidden", 404: "Not found", 409: "Wrong state", 413: "Body too large",
               422: "Unprocessable input", 429: "Limit reached", 503: "Neo4j unreachable or busy; retry"}

# Seed values. Timestamps are what Neo4j's toString(datetime()) gives.
ALICE = {"id": "usr_abc123", "email": "alice@example.com"}
BOB = {"id": "usr_bob", "email": "bob@example.com"}
CONNECTION = {
    "id": "con_xyz789", "status": "pending",
    "requesterId": ALICE["id"], "requesterEmail": ALICE["email"], "targetId": BOB["id"], "targetEmail": BOB["email"],
    "message": "Hi Bob — saw your design talk.", "context": {"event": "figma-conf-2026"},
    "requestedAt": "2026-03-02T09:15:00.000000000+00:00", "respondedAt": None,
}
ACCEPTED = {**CONNECTION, "status": "accepted", "respondedAt": "2026-03-02T10:02:41.000000000+00:00"}
FOLLOWED = {"type": "person", "id": BOB["id"], "email": BOB["email"], "name": None,
            "followedAt": "2026-03-01T18:30:00.000000000+00:00"}

# Hand-written examples by model name; a list gives several named examples.
EXAMPLES: dict[str, Any] = {
    "ErrorBody": {"error": {"code": "already_pending", "message": "your request is already pending"}},
    "Error": {"code": "already_pending", "message": "your request is already pending"},
    "Pagination": {"page": 1, "limit": 20, "total": 124, "totalPages": 7, "hasMore": True},
    "Health": {"status": "ready", "detail": None},
    "FollowIn": [("A person, by email", {"following": "bob@example.com", "followingType": "person"}),
                 ("A page", {"following": "page-id-here", "followingType": "page"})],
    "Followed": FOLLOWED,
    "FollowOut": [("A new follow", {"following": FOLLOWED, "created": True, "status": "active"}),
                  ("A request to a protected person", {"following": FOLLOWED, "created": True, "status": "pending"})],
    "FollowRequest": {"user": BOB, "requestedAt": "2026-03-02T10:00:00.000000000+00:00"},
    "SettingsIn": {"protected": True},
    "SettingsOut": {"protected": True},
    "MuteIn": {"targetId": "usr_mallory"},
    "Muted": {"id": "usr_mallory", "email": None, "mutedAt": "2026-03-03T08:00:00.000000000+00:00"},
    "MuteOut": {"muted": {"id": "usr_mallory", "email": None}, "created": True},
    "Relationship": {"userId": "usr_bob", "following": True, "followRequested": False, "followedBy": True,
                     "connection": "accepted", "connectionId": "con_xyz789", "blocking": False, "blockedBy": False,
                     "muting": False, "mutualConnections": 12},
    "AudienceMember": {"userId": "usr_bob", "reason": "connection"},
    "Audience": {"data": [{"userId": "usr_bob", "reason": "connection"}, {"userId": "usr_carol", "reason": "follower"},
                          {"userId": "usr_dan", "reason": "page_follower"}],
                 "nextCursor": "eyJzIjpbImF1ZGllbmNlIl0sImEiOiJrIn0"},
    "FollowStats": {"followers": 120, "following": 37},
    "PageIn": {"name": "Design Guild"},
    "PageOut": {"id": "page-id-here", "name": "Design Guild", "followerCount": 1250,
                "createdAt": "2026-01-10T08:00:00.000000000+00:00", "updatedAt": "2026-01-10T08:00:00.000000000+00:00"},
    "ConnectionRequestIn": [
        ("From a member", {"targetId": "bob@example.com", "message": "Hi Bob — saw your design talk.",
                           "context": {"event": "figma-conf-2026"}}),
        ("A service acting for a member", {"targetId": "usr_bob", "userId": "usr_abc123"}),
    ],
    "RespondIn": [("Accept (acceptConnection)", {"action": "accept"}),
                  ("Decline (declineConnection)", {"action": "reject"})],
    "Connection": [("Requested", CONNECTION), ("Accepted", ACCEPTED)],
    "ConnectionItem": {**ACCEPTED, "user": BOB},
    "PersonOut": BOB,
    "ConnectionCount": {"count": 98},
    "ConnectionStats": {"total": 124, "accepted": 98, "pending": 12, "sent": 14},
    "ConnectionStatus": [("Waiting for their answer", {"status": "pending_sent", "connectionId": "con_xyz789"}),
                         ("No connection", {"status": "none", "connectionId": None})],
    "AcceptAllIn": {},
    "AcceptAllOut": {"accepted": 12},
    # Posts, visibility, blocks and graph reads (CONTRACT.md, "Graph reads for feeds and people").
    "PostIn": [("A member's post for connections", {"authorId": "usr_abc123", "visibility": "connections"}),
               ("A post in a page", {"authorId": "usr_abc123", "visibility": "followers", "pageId": "page-id-here"})],
    "PostOut": {"id": "post_42", "authorId": "usr_abc123", "authorEmail": "alice@example.com",
                "visibility": "connections", "pageId": None, "createdAt": "2026-03-02T11:00:00.000000000+00:00",
                "updatedAt": "2026-03-02T11:00:00.000000000+00:00"},
    "Verdict": [("Seen through a connection", {"visible": True, "reason": "connection", "muted": False}),
                ("Hidden: connections only", {"visible": False, "reason": "not_connected", "muted": False}),
                ("Visible, but the viewer muted the author", {"visible": True, "reason": "follower", "muted": True})],
    "PostVerdict": {"postId": "post_42", "visible": True, "reason": "connection", "muted": False},
    "InlinePost": {"id": "post_43", "authorId": "usr_abc123", "visibility": "followers"},
    "BatchIn": [("Stored posts, by id", {"viewerId": "usr_bob", "postIds": ["post_42", "post_43", "post_44"]}),
                ("Posts described inline", {"viewerId": "usr_bob", "posts": [
                    {"id": "post_42", "authorId": "usr_abc123", "visibility": "connections"},
                    {"id": "post_45", "authorId": "usr_carol", "visibility": "followers",
                     "pageId": "page-id-here"}]})],
    "BatchOut": {"viewerId": "usr_bob", "results": [
        {"postId": "post_42", "visible": True, "reason": "connection", "muted": False},
        {"postId": "post_43", "visible": True, "reason": "public", "muted": True},
        {"postId": "post_44", "visible": False, "reason": "private", "muted": False}]},
    "BlockIn": {"targetId": "usr_mallory"},
    "Blocked": {"id": "usr_mallory", "email": None, "blockedAt": "2026-03-03T08:00:00.000000000+00:00"},
    "BlockOut": {"blocked": {"id": "usr_mallory", "email": None}, "created": True},
    "Degree": [("Two hops", {"degree": 2, "path": [ALICE, {"id": "usr_bob", "email": None},
                                                    {"id": "usr_carol", "email": None}]}),
               ("Not within three hops", {"degree": None, "path": []})],
    "Suggestion": {"user": {"id": "usr_carol", "email": "carol@example.com"}, "mutualCount": 4},
}

PARAM_EXAMPLES = {
    "userId": "usr_abc123", "id": "con_xyz789", "followingId": "bob@example.com", "pageId": "page-id-here",
    "postId": "post_42", "viewerId": "usr_bob", "page": 1, "limit": 20, "status": "accepted",
    "followingType": "person", "after": 0, "ids": "usr_bob,carol@example.com",
}

# Routes served outside the endpoint registry: documented here so the document covers every route.
PUBLIC_ROUTES = [
    ("/healthz", "Liveness: the process answers", "application/json", {"status": "ok"}),
    ("/readyz", "Readiness: Neo4j reachable and the schema in place (503 otherwise)", "application/json",
     {"status": "ready", "detail": None}),
    ("/metrics", "Prometheus metrics", "text/plain",
     'graphsvc_requests_total{method="GET",route="/client/community/connections",status="200"} 42.0\n'),
    ("/openapi.json", "This document", "application/json", {"openapi": "3.1.0"}),
    ("/docs", "Interactive docs: Swagger UI over this document, to try any call (no outside assets)", "text/html",
     "<!doctype html><title>graphsvc API</title>"),
    ("/docs/reference", "This document as a plain page for reading (no outside assets)", "text/html",
     "<!doctype html><title>graphsvc API reference</title>"),
]


def _models(endpoints: list[Endpoint]) -> list[type[BaseModel]]:
    seen: dict[str, type[BaseModel]] = {"ErrorBody": ErrorBody, "Health": Health}
    for ep in endpoints:
        for model in (ep.body, ep.response):
            if isinstance(model, type) and issubclass(model, BaseModel):
                seen[model.__name__] = model
    return list(seen.values())


def _resolve(schema: dict, defs: dict) -> dict:
    ref = schema.get("$ref")
    return defs[ref.rsplit("/", 1)[-1]] if ref else schema


def _string_for(name: str) -> str:
    lowered = name.lower()
    if "email" in lowered:
        return "bob@example.com"
    if name.endswith("At"):
        return "2026-03-02T09:15:00.000000000+00:00"
    if "url" in lowered:
        return "https://hooks.example.com/graphsvc"
    if name == "id" or name.endswith("Id"):
        return {"postId": "post_42", "pageId": "page-id-here"}.get(name, "usr_bob")
    return name or "text"


def _synth(schema: dict, defs: dict, depth: int = 0, name: str = "") -> Any:
    """A plausible value for a schema that has no hand-written example."""
    if depth > 6:
        return None
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _example_for(name, defs, depth + 1)
    if schema.get("examples"):
        return copy.deepcopy(schema["examples"][0])
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"] or schema[key]
            return _synth(options[0], defs, depth + 1, name)
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {k: _synth(v, defs, depth + 1, k) for k, v in schema.get("properties", {}).items()
                if k in schema.get("required", ()) or "default" not in v}
    if kind == "array":
        return [_synth(schema.get("items", {}), defs, depth + 1, name[:-1] if name.endswith("s") else name)]
    if kind == "integer":
        return max(schema.get("minimum", 1), 1)
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return True
    if kind == "string":
        return _string_for(name)
    return None


def _example_for(name: str, defs: dict, depth: int = 0) -> Any:
    given = EXAMPLES.get(name)
    if given is not None:
        return copy.deepcopy(given[0][1] if isinstance(given, list) else given)
    match = re.fullmatch(r"Paginated_(\w+)_", name)
    if match:
        item = _example_for(match.group(1), defs, depth + 1)
        return {"data": [item], "pagination": {"page": 1, "limit": 20, "total": 1, "totalPages": 1, "hasMore": False}}
    return _synth(defs.get(name, {}), {**defs, name: {}}, depth + 1) if depth < 6 else None


def _named_examples(ref: dict, defs: dict) -> dict:
    name = ref["$ref"].rsplit("/", 1)[-1]
    given = EXAMPLES.get(name)
    if isinstance(given, list):
        return {re.sub(r"\W+", "_", label).strip("_").lower(): {"summary": label, "value": copy.deepcopy(value)}
                for label, value in given}
    return {"example": {"value": _example_for(name, defs)}}


def _query_parameters(model: type[BaseModel]) -> list[dict]:
    schema = model.model_json_schema()
    params = []
    for name, field in model.model_fields.items():
        prop = schema["properties"][name]
        param = {"name": name, "in": "query", "required": field.is_required(),
                 "description": field.description or prop.get("description", ""), "schema": prop}
        example = PARAM_EXAMPLES.get(name, _synth(prop, schema.get("$defs", {}), 0, name))
        if example is not None:
            param["example"] = example
        params.append(param)
    return params


def _json(ref: dict, defs: dict) -> dict:
    return {"application/json": {"schema": ref, "examples": _named_examples(ref, defs)}}


def _error(status: int) -> dict:
    """An error status, with every code of the catalogue that answers it as an example."""
    examples = {c.code: {"value": {"error": {"code": c.code, "message": c.message}}}
                for c in CATALOGUE.values() if c.status == status}
    return {"description": STATUS_TEXT.get(status, "Error"),
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"},
                                             "examples": examples}}}


def _operation_id(ep: Endpoint, dupes: set[str]) -> str:
    name = ep.handler.__name__
    if name not in dupes:
        return name
    return f"{name}_{re.sub(r'[^a-z]+', '_', ep.path.lower()).strip('_')}"


def _operation(ep: Endpoint, refs: dict, defs: dict, dupes: set[str]) -> dict:
    op: dict[str, Any] = {"operationId": _operation_id(ep, dupes), "summary": ep.summary, "tags": [ep.tag],
                          "parameters": []}
    if ep.description:
        op["description"] = ep.description
    for name in re.findall(r"{(\w+)}", ep.path):
        op["parameters"].append({"name": name, "in": "path", "required": True, "schema": {"type": "string"},
                                 "example": PARAM_EXAMPLES.get(name, "usr_bob")})
    if ep.roles != ("public",):
        op["parameters"].append({"name": "orgid", "in": "header", "required": True,
                                 "description": "The tenant; must equal the token's org claim",
                                 "schema": {"type": "string"}, "example": "my-org"})
        op["security"] = [{"bearer": []}]
        op["description"] = (op.get("description", "") + f"\n\nRoles: {', '.join(ep.roles)}.").strip()
    if ep.query is not None:
        op["parameters"] += _query_parameters(ep.query)
    if ep.body is not None:
        op["requestBody"] = {"required": True, "content": _json(refs[ep.body], defs)}
    ok: dict[str, Any] = {"description": STATUS_TEXT.get(ep.status, "OK")}
    if ep.response is not None and ep.status != 204:
        ok["content"] = _json(refs[ep.response], defs)
    responses = {str(ep.status): ok}
    for other in ep.also:
        text = "Already existed (or, for a connection request, the other side had already asked: accepted)" \
            if other == 200 else "Created"
        responses[str(other)] = {"description": text, "content": copy.deepcopy(ok["content"])}
    codes = set(ep.errors) | {400, 503} | ({401, 403} if ep.roles != ("public",) else set())
    if ep.body is not None:
        codes.add(413)
    for code in sorted(codes):
        responses[str(code)] = _error(code)
    op["responses"] = dict(sorted(responses.items()))
    return op


def _public(summary: str, media: str, example: Any, refs: dict, defs: dict, path: str) -> dict:
    if media == "application/json" and path in ("/healthz", "/readyz"):
        content = _json(refs[Health], defs)
    elif media == "application/json":
        content = {media: {"schema": {"type": "object"}, "examples": {"example": {"value": example}}}}
    else:
        content = {media: {"schema": {"type": "string"}, "examples": {"example": {"value": example}}}}
    responses = {"200": {"description": summary, "content": content}}
    if path == "/readyz":
        responses["503"] = {"description": "Neo4j unreachable or the schema missing", "content": _json(refs[Health], defs)}
    return {"operationId": path.strip("/").replace(".", "_"), "summary": summary, "tags": ["Service"],
            "parameters": [], "security": [], "responses": responses}


def document(endpoints: list[Endpoint]) -> dict:
    models = _models(endpoints)
    keys, top = models_json_schema([(m, "validation") for m in models], ref_template="#/components/schemas/{model}")
    defs = top.get("$defs", {})
    refs = {m: keys[(m, "validation")] for m in models}
    for name, schema in defs.items():
        if "examples" not in schema and schema.get("type") == "object":
            example = _example_for(name, defs)
            if example is not None:
                schema["examples"] = [example]
    names = [ep.handler.__name__ for ep in endpoints]
    dupes = {n for n in names if names.count(n) > 1}
    paths: dict[str, dict] = {}
    for path, summary, media, example in PUBLIC_ROUTES:
        paths[path] = {"get": _public(summary, media, example, refs, defs, path)}
    for ep in endpoints:
        paths.setdefault(ep.path, {})[ep.method.lower()] = _operation(ep, refs, defs, dupes)
    tags = sorted({op["tags"][0] for ops in paths.values() for op in ops.values()})
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {"title": "graphsvc", "version": __version__,
                 "description": "A multi-tenant social graph: follows, connections, visibility, on Neo4j. "
                                "Every call carries `orgid: <org>` and `Authorization: Bearer <JWT>`; errors are "
                                "`{\"error\": {\"code\", \"message\"}}`; lists take `page` and `limit` and answer "
                                "`{data, pagination}`."},
        "tags": [{"name": t} for t in tags],
        "paths": paths,
        "components": {"schemas": defs,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }


REFERENCE_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>graphsvc API reference</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:960px;padding:0 1rem;color:#222}
h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
.op{border:1px solid #e3e3e3;border-radius:6px;margin:.5rem 0;padding:.4rem .7rem}
.m{display:inline-block;min-width:4.2rem;font-weight:700;font-family:monospace}
.GET{color:#1a7f37}.POST{color:#0550ae}.PUT{color:#9a6700}.DELETE{color:#cf222e}
code{font-family:monospace}.path{font-family:monospace;font-weight:600}
details pre{background:#f6f8fa;padding:.5rem;overflow:auto;font-size:12px}
.desc{color:#555;white-space:pre-wrap}
</style></head><body>
<h1>graphsvc API</h1>
<p>Every call carries <code>orgid</code> and <code>Authorization: Bearer &lt;JWT&gt;</code>.
The machine-readable document is <a href="/openapi.json">/openapi.json</a>; try calls at <a href="/docs">/docs</a>.</p>
<div id="ops">Loading…</div>
<script>
fetch('/openapi.json').then(r => r.json()).then(doc => {
  const byTag = {};
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops))
      (byTag[op.tags[0]] = byTag[op.tags[0]] || []).push({path, method: method.toUpperCase(), op});
  const root = document.getElementById('ops'); root.textContent = '';
  for (const [tag, ops] of Object.entries(byTag)) {
    const h = document.createElement('h2'); h.textContent = tag; root.appendChild(h);
    for (const {path, method, op} of ops) {
      const d = document.createElement('div'); d.className = 'op';
      d.dataset.path = path; d.dataset.method = method;
      const head = document.createElement('div');
      head.innerHTML = `<span class="m ${method}"></span> <span class="path"></span> — <span class="s"></span>`;
      head.querySelector('.m').textContent = method;
      head.querySelector('.path').textContent = path;
      head.querySelector('.s').textContent = op.summary;
      d.appendChild(head);
      if (op.description) { const p = document.createElement('div'); p.className = 'desc'; p.textContent = op.description; d.appendChild(p); }
      const det = document.createElement('details'); const sm = document.createElement('summary');
      sm.textContent = 'parameters, body and responses'; det.appendChild(sm);
      const pre = document.createElement('pre');
      pre.textContent = JSON.stringify({parameters: op.parameters, requestBody: op.requestBody, responses: op.responses}, null, 2);
      det.appendChild(pre); d.appendChild(det); root.appendChild(d);
    }
  }
});
</script></body></html>
"""

# Swagger UI's own files, served from the installed package: only these names, nothing else
# under its folder.
SWAGGER_UI = Path(str(swagger_ui_path))
SWAGGER_ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png", "favicon-16x16.png"})

# The page hands Swagger UI the document with one change: the `orgid` header that every
# authenticated operation declares becomes a second security scheme beside the bearer token,
# so a person gives both once in the Authorize dialog instead of on every call.
DOCS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>graphsvc API</title>
<link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
<style>
body{margin:0}
.graphsvc-bar{font:14px/1.4 system-ui,sans-serif;padding:.6rem 1.2rem;background:#1b1f24;color:#eee}
.graphsvc-bar a{color:#9cdcfe}
</style></head><body>
<div class="graphsvc-bar">graphsvc: press <b>Authorize</b>, give a bearer token (JWT) and your
<code>orgid</code>, then <b>Try it out</b> on any call. For reading: <a href="/docs/reference">the plain
reference</a>; for machines: <a href="/openapi.json">/openapi.json</a>.</div>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>
function withOrgidScheme(doc) {
  const schemes = doc.components.securitySchemes;
  schemes.orgid = {type: 'apiKey', in: 'header', name: 'orgid',
                   description: 'The tenant: must equal the org claim of the token'};
  for (const ops of Object.values(doc.paths)) {
    for (const op of Object.values(ops)) {
      if (!op.security || !op.security.length) continue;
      op.parameters = (op.parameters || []).filter(p => !(p.in === 'header' && p.name === 'orgid'));
      op.security = [{bearer: [], orgid: []}];
    }
  }
  return doc;
}
fetch('/openapi.json').then(r => r.json()).then(doc => {
  window.ui = SwaggerUIBundle({
    spec: withOrgidScheme(doc), dom_id: '#swagger-ui', deepLinking: true, docExpansion: 'list',
    filter: true, displayRequestDuration: true, tryItOutEnabled: false, validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis], layout: 'BaseLayout',
  });
});
</script></body></html>
"""


async def swagger_ui(request: Request) -> Response:
    return HTMLResponse(DOCS_HTML)


async def reference(request: Request) -> Response:
    return HTMLResponse(REFERENCE_HTML)


async def swagger_asset(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in SWAGGER_ASSETS:
        raise NOT_FOUND(f"no docs asset {name!r}")
    return FileResponse(SWAGGER_UI / name, headers={"cache-control": "public, max-age=86400"})


def docs_routes() -> list[Route]:
    """/docs (Swagger UI), its files, and /docs/reference."""
    return [Route("/docs", swagger_ui), Route("/docs/reference", reference),
            Route("/docs/assets/{name}", swagger_asset)]
