"""/openapi.json and /docs: the document validates as OpenAPI 3.1, covers
every registered endpoint with examples; /docs is Swagger UI from the service's own
assets, where a real browser authorizes with a token and an orgid and runs a call;
/docs/reference renders the document as a plain page."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect
from openapi_spec_validator import validate
from openapi_spec_validator.versions.shortcuts import get_spec_version

import graphsvc.api.app  # noqa: F401  (registers every endpoint, as the server does)
from graphsvc.api.app import ENDPOINTS
from graphsvc.api.openapi import EXAMPLES, PUBLIC_ROUTES, SWAGGER_ASSETS, _models
from graphsvc.auth import mint

from .conftest import SECRET

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


@pytest.mark.parametrize("page", ["/docs", "/docs/reference"])
def test_docs_pages_use_no_outside_assets(http, page):
    resp = http.get(page)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
    # Only the service itself is referenced: no CDN scripts, styles or fonts.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", resp.text), f"external asset in {page}"
    assert "/openapi.json" in resp.text


def test_swagger_ui_files_come_from_the_service(http):
    for name in SWAGGER_ASSETS:
        resp = http.get(f"/docs/assets/{name}")
        assert resp.status_code == 200 and len(resp.content) > 100, name
    assert http.get("/docs/assets/swagger-ui-bundle.js").headers["content-type"].split(";")[0] in (
        "text/javascript", "application/javascript")
    # Only those files: nothing else of the package's folder, and no way out of it.
    for name in ("index.html", "swagger-initializer.js", "..%2F__init__.py", "%2E%2E", "nope.js"):
        assert http.get(f"/docs/assets/{name}").status_code == 404, name


def test_reference_renders_in_headless_chromium(server, chromium):
    with tempfile.TemporaryDirectory(prefix="graphsvc-chromium-") as profile:
        done = subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--virtual-time-budget=5000",
             "--dump-dom", f"{server.url}/docs/reference"],
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


class DevTools:
    """Headless Chromium driven over the DevTools protocol: a real page, real clicks and
    typing, and a screenshot of what a person would see."""

    def __init__(self, chromium: str, profile: Path):
        profile.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", "--window-size=1280,1100", "--remote-debugging-port=0",
             f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=profile)
        self.stack = contextlib.ExitStack()
        self.stack.callback(self._stop)
        with self.stack:
            port_file = profile / "DevToolsActivePort"
            self.wait(lambda: port_file.exists() and port_file.read_text().strip(), "Chromium's DevTools port")
            port = int(port_file.read_text().split()[0])
            targets = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
            page = next(t for t in targets if t["type"] == "page")
            self.ws = self.stack.enter_context(connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=30))
            self.stack = self.stack.pop_all()  # started: close() stops it from now on
        self.ids = 0
        self.events: list[dict] = []

    def wait(self, condition, what: str, timeout: float = 60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}")

    def send(self, method: str, **params) -> dict:
        self.ids += 1
        self.ws.send(json.dumps({"id": self.ids, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=60))
            if message.get("id") == self.ids:
                assert "error" not in message, message
                return message["result"]
            self.events.append(message)

    def requested_urls(self) -> list[str]:
        self.js("0")  # collects the events sent so far
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]

    def js(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def type_into(self, selector: str, text: str) -> None:
        """Focus the field and type, as a keyboard would (React sees real input events)."""
        assert self.js(f"(() => {{ const el = document.querySelector({json.dumps(selector)}); "
                       f"if (!el) return false; el.focus(); return true; }})()"), selector
        self.send("Input.insertText", text=text)

    def click(self, selector: str) -> None:
        assert self.js(f"(() => {{ const el = document.querySelector({json.dumps(selector)}); "
                       f"if (!el) return false; el.click(); return true; }})()"), selector

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"]))

    def close(self) -> None:
        self.stack.close()

    def _stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


def test_swagger_ui_runs_a_call_in_headless_chromium(server, chromium, org, tmp_path):
    """A person's path through /docs: Authorize with a token and an orgid, open
    GET /client/community/follow/stats, Try it out, Execute, and see the 200."""
    # The seed's member: the page fills its id into the optional userId field as the example.
    token = mint(SECRET, "usr_abc123", org.id)
    op = "#operations-Follows-follow_stats"
    browser = DevTools(chromium, tmp_path / "profile")
    try:
        browser.send("Page.enable")
        browser.send("Network.enable")
        browser.send("Page.navigate", url=f"{server.url}/docs")
        browser.wait(lambda: browser.js(f"!!document.querySelector('{op}')"), "Swagger UI to render the operations")
        browser.click(".auth-wrapper .authorize")
        browser.wait(lambda: browser.js("document.querySelectorAll('.modal-ux .auth-container input').length") == 2,
                     "the Authorize dialog")
        for scheme, value in (("bearer", token), ("orgid", org.id)):
            container = f"(() => [...document.querySelectorAll('.modal-ux .auth-container')]" \
                        f".find(c => c.querySelector('h4').textContent.trim().startsWith('{scheme}')))()"
            assert browser.js(f"{container}.setAttribute('data-scheme', '{scheme}') || true")
            browser.type_into(f".auth-container[data-scheme={scheme}] input", value)
            browser.click(f".auth-container[data-scheme={scheme}] button.authorize")
        authorized = "[...document.querySelectorAll('.modal-ux .auth-container h6')]" \
                     ".filter(h => h.textContent.trim() === 'Authorized').length"
        browser.wait(lambda: browser.js(authorized) == 2, "both schemes authorized")
        browser.click(".modal-ux .btn-done")
        browser.click(f"{op} .opblock-summary-control")
        browser.wait(lambda: browser.js(f"!!document.querySelector('{op} .try-out__btn')"), "Try it out")
        browser.click(f"{op} .try-out__btn")
        browser.wait(lambda: browser.js(f"!!document.querySelector('{op} .execute')"), "Execute")
        browser.click(f"{op} .execute")
        status = f"document.querySelector('{op} .live-responses-table tbody .response-col_status')"
        browser.wait(lambda: browser.js(f"{status} && {status}.textContent.trim()"), "the live response")
        shown = browser.js(f"{status}.textContent.trim()")
        body = browser.js(f"document.querySelector('{op} .live-responses-table tbody .response-col_description pre')"
                          f".textContent")
        curl = browser.js(f"document.querySelector('{op} .curl-command').textContent")
        browser.js(f"document.querySelector('{op} .live-responses-table').scrollIntoView({{block: 'center'}})")
        browser.screenshot(tmp_path / "docs-swagger-ui.png")
        urls = browser.requested_urls()
    finally:
        browser.close()
    print(f"\n[docs] screenshot: {tmp_path / 'docs-swagger-ui.png'}")
    assert shown == "200", (shown, body)
    assert json.loads(body) == {"followers": 0, "following": 0}
    assert f"orgid: {org.id}" in curl and f"Bearer {token}" in curl, curl
    # Everything the page loaded came from the service itself.
    assert f"{server.url}/docs/assets/swagger-ui-bundle.js" in urls, urls
    assert all(u.startswith((server.url + "/", "data:")) for u in urls), urls


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
