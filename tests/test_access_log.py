"""One access log line per request: the app's JSON line, with a request id that the
answer's `x-request-id` header echoes (the caller's own when it sends a plain one);
`graphsvc serve` runs uvicorn without its own access log, so nothing is logged twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid

import httpx

from graphsvc.auth import mint

from .conftest import ROOT, SECRET, SECRET_KEY, _free_port


def test_answers_carry_a_request_id(http, org):
    alice = org.member("usr_alice")
    given = alice.get("/client/community/follow/stats", headers={"x-request-id": "req-7f3a.b:1"})
    assert given.status_code == 200 and given.headers["x-request-id"] == "req-7f3a.b:1"
    made = [alice.get("/client/community/follow/stats").headers["x-request-id"] for _ in range(2)]
    assert made[0] != made[1] and all(len(rid) == 32 for rid in made)
    # Errors carry one too, and an id that could forge a header or a log line is replaced.
    refused = http.get("/client/community/follow/stats", headers={"x-request-id": "a b\tc" + "x" * 200})
    assert refused.status_code == 401
    assert refused.headers["x-request-id"] not in ("", "a b\tc" + "x" * 200)


def test_serve_logs_each_request_once(neo4j_target, tmp_path):
    port = _free_port()
    log_path = tmp_path / "serve.log"
    env = {**os.environ, "NEO4J_URI": neo4j_target.uri, "NEO4J_USER": neo4j_target.user,
           "NEO4J_PASSWORD": neo4j_target.password, "GRAPHSVC_JWT_SECRET": SECRET,
           "GRAPHSVC_SECRET_KEY": SECRET_KEY, "GRAPHSVC_HOST": "127.0.0.1", "GRAPHSVC_PORT": str(port),
           "GRAPHSVC_DISPATCHER": "0"}
    url = f"http://127.0.0.1:{port}"
    org = "org-" + uuid.uuid4().hex[:12]
    headers = {"orgid": org, "Authorization": f"Bearer {mint(SECRET, 'usr_alice', org)}"}
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "graphsvc", "serve"], env=env, cwd=ROOT,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_ready(proc, url)
            ok = httpx.get(url + "/client/community/follow/stats", headers={**headers, "x-request-id": "trace-1"})
            missing = httpx.get(url + "/client/community/connections/status/usr_bob/x", headers=headers)
        finally:
            proc.terminate()
            proc.wait(30)
    assert ok.status_code == 200 and missing.status_code == 404
    lines = log_path.read_text().splitlines()
    for path, rid, status in (("/client/community/follow/stats", "trace-1", 200),
                              ("/client/community/connections/status/usr_bob/x", missing.headers["x-request-id"], 404)):
        mentions = [line for line in lines if path in line]
        assert len(mentions) == 1, mentions
        entry = json.loads(mentions[0])
        assert (entry["path"], entry["status"], entry["requestId"]) == (path, status, rid), entry


def _wait_ready(proc: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "graphsvc serve exited"
        try:
            if httpx.get(url + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError("graphsvc serve did not become ready")
