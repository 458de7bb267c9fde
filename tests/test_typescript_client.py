"""The TypeScript client (clients/typescript) against the real service.

Its tests are written for node's own runner (`node --test`) and run from here, so that
one runner (`make test`) covers both clients on the same fixtures: the suite's server
and Neo4j and its JWT secret (node mints its tokens with it), plus two servers only these
tests need (one with low caps for a 429, one whose Neo4j is unreachable for the 503
retries). The package is type-checked and compiled first (`tsc`: the package, its tests
and the README example); its dev dependencies come from `npm ci` in `make install`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from graphsvc.client._base import NAMESPACES
from graphsvc.client.errors import BY_STATUS

from .conftest import DISPATCH_ENV, ROOT, SECRET, SECRET_KEY, _free_port

PACKAGE = ROOT / "clients" / "typescript"
# The SDK seed's (004) names: both clients must carry them where the seed puts them.
SEED_NAMES = {
    "connections": {"fetchConnections", "fetchConnectionsCount", "fetchSentPendingConnections",
                    "fetchReceivedPendingConnections", "acceptConnection", "declineConnection", "removeConnection"},
    "users": {"requestConnection", "fetchConnectionStatus", "removeConnectionByUserId"},
}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def node(*args: str, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([shutil.which("node") or "node", *args], cwd=PACKAGE, capture_output=True, text=True,
                          check=False, timeout=timeout, env=env)


class SideServers:
    """The two servers only these tests need, started at once and waited for later, so that
    they come up while tsc runs: one with GRAPHSVC_MAX_FOLLOWS=2 (a 429) and one whose Neo4j
    is unreachable (every database call answers 503)."""

    def __init__(self, target):
        self.procs: list[subprocess.Popen] = []
        self.limited = self._start({"NEO4J_URI": target.uri, "NEO4J_USER": target.user,
                                    "NEO4J_PASSWORD": target.password, "GRAPHSVC_SECRET_KEY": SECRET_KEY,
                                    "GRAPHSVC_DB_TIMEOUT": "3", "GRAPHSVC_MAX_FOLLOWS": "2", **DISPATCH_ENV})
        self.dead = self._start({"NEO4J_URI": f"bolt://127.0.0.1:{_free_port()}", "NEO4J_PASSWORD": "x",
                                 "GRAPHSVC_DB_TIMEOUT": "0.3"})

    def _start(self, env: dict) -> str:
        port = _free_port()
        self.procs.append(subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "graphsvc.api.app:app", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning"],
            env={**os.environ, "GRAPHSVC_JWT_SECRET": SECRET, **env}, cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        return f"http://127.0.0.1:{port}"

    def env(self) -> dict:
        """Their urls for the node tests, once both answer (the limited one ready for work)."""
        for proc, url, probe in zip(self.procs, (self.limited, self.dead), ("/readyz", "/healthz"), strict=True):
            deadline = time.monotonic() + 60
            while True:
                assert proc.poll() is None, f"graphsvc at {url} exited"
                try:
                    if httpx.get(url + probe, timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, f"{url} did not come up"
                time.sleep(0.1)
        return {"GRAPHSVC_LIMITED_URL": self.limited, "GRAPHSVC_DEAD_URL": self.dead}

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def side_servers(neo4j_target):
    servers = SideServers(neo4j_target)
    yield servers
    servers.stop()


@pytest.fixture(scope="module")
def built(side_servers) -> float:
    """The package compiled into build/ by `tsc`, which type-checks it, its tests and the
    README example (while the side servers start); the seconds it took."""
    if shutil.which("node") is None:
        pytest.fail("node is not installed: the TypeScript client needs Node 20 or later")
    if not (PACKAGE / "node_modules" / ".package-lock.json").exists():
        pytest.fail("clients/typescript has no node_modules: run `make install` (npm ci from package-lock.json)")
    started = time.monotonic()
    done = node("node_modules/typescript/bin/tsc", "-p", "tsconfig.json", timeout=300)
    assert done.returncode == 0, f"tsc failed:\n{done.stdout[-6000:]}{done.stderr[-2000:]}"
    return time.monotonic() - started


def _ts_exports(expression: str) -> object:
    """A JSON value computed from the compiled package's exports (`m`)."""
    script = f"const m = await import('./build/src/index.js'); console.log(JSON.stringify({expression}));"
    done = node("--input-type=module", "-e", script)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_method_names_equal_the_python_client(built):
    """Same namespaces, same calls: the Python names in camelCase, the seed's where it names one."""
    ts = _ts_exports("Object.fromEntries(Object.entries(m.NAMESPACES).map(([name, cls]) => "
                     "[name, Object.getOwnPropertyNames(cls.prototype).filter((n) => n !== 'constructor').sort()]))")
    python = {name: sorted(camel(attr) for attr, value in vars(cls).items()
                           if callable(value) and not attr.startswith("_"))
              for name, cls in NAMESPACES.items()}
    assert ts == python
    for namespace, names in SEED_NAMES.items():
        assert names <= set(ts[namespace]), (namespace, names - set(ts[namespace]))


def test_error_families_equal_the_python_client(built):
    ts = _ts_exports("Object.fromEntries(Object.entries(m.BY_STATUS).map(([status, cls]) => [status, cls.name]))")
    assert ts == {str(status): cls.__name__ for status, cls in BY_STATUS.items()}


def test_node_suite_against_the_service(built, server, side_servers):
    """Every SDK-named call, the rest of the API, an error per status family, the cursor walk
    of a 45-item list, the README example, and the generated types against /openapi.json."""
    files = sorted(str(p.relative_to(PACKAGE)) for p in (PACKAGE / "build" / "test").glob("*.test.js"))
    assert len(files) >= 6, files
    env = {**os.environ, "GRAPHSVC_URL": server.url, "GRAPHSVC_JWT_SECRET": SECRET, **side_servers.env()}
    started = time.monotonic()
    done = node("--test", "--test-concurrency=4", *files, timeout=300, env=env)
    elapsed = time.monotonic() - started
    print(f"\n[typescript] tsc {built:.1f}s, node --test {elapsed:.1f}s\n{done.stdout[-1500:]}")
    assert done.returncode == 0, f"node --test failed:\n{done.stdout[-12000:]}{done.stderr[-3000:]}"
    summary = dict(line.lstrip("ℹ# ").split(" ", 1) for line in done.stdout.splitlines()
                   if line.lstrip("ℹ# ").split(" ", 1)[0] in ("tests", "pass", "fail", "skipped", "todo"))
    assert int(summary["fail"]) == 0 and int(summary["skipped"]) == 0 and int(summary["todo"]) == 0, summary
    assert int(summary["pass"]) >= 10, summary


def test_the_package_has_no_runtime_dependency():
    """fetch only: nothing for a caller's bundle to pull in."""
    package = json.loads((PACKAGE / "package.json").read_text())
    assert not package.get("dependencies"), package.get("dependencies")
    assert package["type"] == "module" and package["exports"]["."]["types"].endswith(".d.ts")
    assert Path(PACKAGE / "package-lock.json").exists()
