"""/openapi.json and /docs: the document validates as OpenAPI 3.1, covers
every registered endpoint with examples, and /docs renders it in a real browser
from the service's own assets."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.versions.shortcuts import get_spec_version

import graphsvc.api.app  # noqa: F401  (registers every endpoint, as the server does)
from graphsvc.api.app import ENDPOINTS
from graphsvc.api.openapi import EXAMPLES, PUBLIC_ROUTES, _models

PUBLIC = {path for path, *_ in PUBLIC_ROUTES}

CHROMIUM_NAMES = ("chromium", "chromium-browser")


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def ensure_chromium() -> str:
    """Debian's `chromium`, installed here when missing so that a clean machine runs the
    browser test too. Anything that prevents it is a failure, never a skip: a skipped
    browser test would let /docs break unnoticed."""
    found = find_chromium()
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        pytest.fail("chromium is not installed and apt-get is missing: install Debian's `chromium` package")
    if os.geteuid() != 0:
        pytest.fail("chromium is not installed and installing it needs root: run `apt-get install -y chromium`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in ([apt, "update", "-q"], [apt, "install", "-y", "-q", "--no-install-recommends", "chromium"]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1200)
        if done.returncode != 0:
            pytest.fail(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    found = find_chromium()
    if not found:
        pytest.fail("apt-get installed chromium but no chromium binary is on PATH")
    return found


@pytest.fixture(scope="session")
def chromium() -> str:
    return ensure_chromium()


@pytest.fixture(scope="session")
def doc(http) -> dict:
    resp = http.get("/openapi.json")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/json")
    return resp.json()


def test_document_validates_as_openapi_3_1(doc):
    assert doc["openapi"].startswith("3.1")
    assert get_spec_version(doc).major == "3" and get_spec_version(doc).minor == "1"
    validate(doc)  # raises with the first violation


def test_every_registered_endpoint_is_documented(doc):
    assert ENDPOINTS, "no endpoints registered"
    missing = [f"{ep.method} {ep.path}" for ep in ENDPOINTS
               if ep.method.lower() not in doc["paths"].get(ep.path, {})]
    assert not missing, missing
    served = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    assert served == {(ep.path, ep.method) for ep in ENDPOINTS} | {(p, "GET") for p in PUBLIC}
    ids = [op["operationId"] for ops in doc["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids)), "operationIds must be unique"


def test_every_operation_documents_its_parts(doc):
    """Path parameters declared, bodies and JSON responses with a schema and an example,
    error responses in the one error shape."""
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            where = f"{method.upper()} {path}"
            assert op["summary"] and op["tags"], where
            declared = {p["name"] for p in op["parameters"] if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), where
            for p in op["parameters"]:
                if p["in"] == "path":
                    assert "example" in p or "examples" in p, (where, p["name"])
            if "requestBody" in op:
                media = op["requestBody"]["content"]["application/json"]
                assert "schema" in media and media.get("examples"), where
            for status, resp in op["responses"].items():
                assert resp["description"], (where, status)
                if status == "204":
                    assert "content" not in resp, where
                    continue
                content = resp.get("content", {})
                assert len(content) == 1, (where, status)
                media = content.get("application/json") or (path in PUBLIC and next(iter(content.values())))
                assert media and "schema" in media, (where, status)
                assert media.get("examples"), (where, status)
                if int(status) >= 400 and path not in PUBLIC:
                    assert media["schema"] == {"$ref": "#/components/schemas/ErrorBody"}, (where, status)


def test_examples_come_from_the_seeds(doc):
    """The connection request example is the seed's own (000: Bob, the design talk)."""
    op = doc["paths"]["/client/community/connections/request"]["post"]
    body = next(iter(op["requestBody"]["content"]["application/json"]["examples"].values()))["value"]
    assert body["message"] == "Hi Bob — saw your design talk." and body["context"] == {"event": "figma-conf-2026"}
    stats = doc["paths"]["/community/connections/stats"]["get"]["responses"]["200"]["content"]["application/json"]
    assert next(iter(stats["examples"].values()))["value"] == {"total": 124, "accepted": 98, "pending": 12, "sent": 14}
    listing = doc["paths"]["/client/community/connections"]["get"]["parameters"]
    assert {p["name"] for p in listing} >= {"page", "limit", "status", "userId", "orgid"}


def test_hand_written_examples_validate_against_the_models():
    """An example the server would refuse (or could not have produced) is a lie in the docs."""
    models = {m.__name__: m for m in _models(ENDPOINTS)}
    checked = 0
    for name, given in EXAMPLES.items():
        if name not in models:
            continue
        for _, value in (given if isinstance(given, list) else [("", given)]):
            models[name].model_validate(value)
            checked += 1
    assert checked >= 15


def test_docs_page_uses_no_outside_assets(http):
    resp = http.get("/docs")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
    # Only the service itself is referenced: no CDN scripts, styles or fonts.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", resp.text), "external asset in /docs"
    assert "/openapi.json" in resp.text


def test_docs_render_in_headless_chromium(server, chromium):
    with tempfile.TemporaryDirectory(prefix="graphsvc-chromium-") as profile:
        done = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--virtual-time-budget=5000",
             "--dump-dom", f"{server.url}/docs"],
            capture_output=True, text=True, timeout=180, cwd=Path(profile),
        )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert "Loading…" not in dom, "the page never rendered /openapi.json"
    for method, path in (("POST", "/client/community/connections/request"),
                         ("PUT", "/community/connections/{id}/respond"),
                         ("GET", "/client/community/connections"),
                         ("POST", "/client/community/follow")):
        assert re.search(rf'<div class="op" data-path="{re.escape(path)}" data-method="{method}"', dom), \
            (method, path)
    ops = re.findall(r'<div class="op" data-path="([^"]+)" data-method="([A-Z]+)"', dom)
    assert len(ops) == len(ENDPOINTS) + len(PUBLIC)


def test_no_two_routes_answer_the_same_request():
    """The app tries the visibility routes first (they carry most of the traffic); that is
    only harmless while no path and method is matched by two routes."""
    from starlette.routing import Match

    from graphsvc import config

    routes = graphsvc.api.app.create_app(config.load()).router.routes
    assert routes[0].path == "/community/visibility"
    for route in routes:
        example = re.sub(r"\{(\w+)\}", r"x_\1", route.path)
        for method in route.methods or {"GET"}:
            scope = {"type": "http", "path": example, "method": method, "root_path": ""}
            full = [r.path for r in routes if r.matches(scope)[0] == Match.FULL]
            assert full == [route.path], (method, example, full)
