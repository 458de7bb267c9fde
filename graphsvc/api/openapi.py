"""/openapi.json, built from the endpoint registry and the same pydantic models
that validate requests, and /docs, a page that renders it with no outside assets."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .. import __version__
from ..models import ErrorBody
from .http import ENDPOINTS, Endpoint

STATUS_TEXT = {200: "OK", 201: "Created", 204: "No content", 400: "Bad input", 401: "Missing, bad or expired token",
               403: "Forbidden", 404: "Not found", 409: "Wrong state", 413: "Body too large",
               429: "Limit reached", 503: "Neo4j unreachable"}


def _models() -> list[type[BaseModel]]:
    seen: dict[str, type[BaseModel]] = {"ErrorBody": ErrorBody}
    for ep in ENDPOINTS:
        for model in (ep.body, ep.query, ep.response):
            if isinstance(model, type) and issubclass(model, BaseModel):
                seen[model.__name__] = model
    return list(seen.values())


def _query_parameters(model: type[BaseModel], schemas: dict) -> list[dict]:
    params = []
    for name, field in model.model_fields.items():
        schema = model.model_json_schema()["properties"][name]
        params.append({"name": name, "in": "query", "required": field.is_required(),
                       "description": field.description or "", "schema": schema})
    return params


def _operation(ep: Endpoint, refs: dict) -> dict:
    op: dict[str, Any] = {
        "operationId": ep.handler.__name__ if ep.handler.__name__ not in _dupes() else
        f"{ep.handler.__name__}_{re.sub(r'[^a-z]+', '_', ep.path.lower()).strip('_')}",
        "summary": ep.summary, "tags": [ep.tag], "parameters": [],
    }
    if ep.description:
        op["description"] = ep.description
    for name in re.findall(r"{(\w+)}", ep.path):
        op["parameters"].append({"name": name, "in": "path", "required": True, "schema": {"type": "string"}})
    if ep.roles != ("public",):
        op["parameters"].append({"name": "orgid", "in": "header", "required": True,
                                 "description": "The tenant; must equal the token's org claim",
                                 "schema": {"type": "string"}})
        op["security"] = [{"bearer": []}]
        op["description"] = (op.get("description", "") + f"\n\nRoles: {', '.join(ep.roles)}.").strip()
    if ep.query is not None:
        op["parameters"] += _query_parameters(ep.query, refs)
    if ep.body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": refs[ep.body]}}}
    ok: dict[str, Any] = {"description": STATUS_TEXT.get(ep.status, "OK")}
    if ep.response is not None and ep.status != 204:
        ok["content"] = {"application/json": {"schema": refs[ep.response]}}
    responses = {str(ep.status): ok}
    if ep.status == 201 and ep.response is not None:
        responses["200"] = {"description": "Already existed", "content": ok["content"]}
    error = {"content": {"application/json": {"schema": refs[ErrorBody]}}}
    codes = set(ep.errors) | {400, 503} | ({401, 403} if ep.roles != ("public",) else set())
    for code in sorted(codes):
        responses[str(code)] = {"description": STATUS_TEXT.get(code, "Error"), **error}
    op["responses"] = responses
    return op


def _dupes() -> set[str]:
    names = [ep.handler.__name__ for ep in ENDPOINTS]
    return {n for n in names if names.count(n) > 1}


def document() -> dict:
    models = _models()
    keys, defs = models_json_schema([(m, "validation") for m in models],
                                    ref_template="#/components/schemas/{model}")
    refs = {m: keys[(m, "validation")] for m in models}
    paths: dict[str, dict] = {}
    for ep in ENDPOINTS:
        paths.setdefault(ep.path, {})[ep.method.lower()] = _operation(ep, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "graphsvc", "version": __version__,
                 "description": "A multi-tenant social graph: follows, connections, visibility, on Neo4j."},
        "paths": paths,
        "components": {"schemas": defs.get("$defs", {}),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }


DOCS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>graphsvc API</title>
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
The machine-readable document is <a href="/openapi.json">/openapi.json</a>.</p>
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
