"""Fixtures: a real Neo4j, a real graphsvc server process, and tokens.

Neo4j is chosen in this order: `NEO4J_URI` if set; a testcontainers
`Neo4jContainer` when a Docker daemon answers a ping; else the project's own
local Neo4j (`.neo4j/test`), started here if it is not running, through `bolt://`
or, with GRAPHSVC_TEST_ROUTING=1, the `neo4j://` routing scheme.
"""

from __future__ import annotations

import functools
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from neo4j import GraphDatabase

from graphsvc.auth import mint
from graphsvc.ops import localdb

ROOT = Path(__file__).resolve().parent.parent
SECRET = "test-secret-" + "x" * 32
# Every graphsvc process of a test run seals and opens webhook secrets with this key.
SECRET_KEY = "test-sealing-key-" + "k" * 32
# Every graphsvc process of a test run dispatches webhooks with one fast policy, so
# that whichever process claims a delivery retries it on the same schedule.
DISPATCH_ENV = {"GRAPHSVC_DISPATCH_INTERVAL": "0.2", "GRAPHSVC_WEBHOOK_BACKOFF": "0.2",
                "GRAPHSVC_WEBHOOK_HORIZON": "5", "GRAPHSVC_WEBHOOK_TIMEOUT": "2",
                # the tests' receivers listen on 127.0.0.1: IP literals only, never host names
                "GRAPHSVC_WEBHOOK_ALLOW_PRIVATE": "1"}


@dataclass
class Neo4jTarget:
    uri: str
    user: str
    password: str
    kind: str
    instance: localdb.Instance | None = None


def _docker_answers() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        return bool(client.ping())
    except Exception:  # no daemon: the docker client is installed here without an engine
        return False


@functools.cache
def neo4j_kind() -> str:
    """Which Neo4j this process tests against, in the module docstring's order:
    "external", "testcontainers" or "local"."""
    if os.environ.get("NEO4J_URI"):
        return "external"
    return "testcontainers" if _docker_answers() else "local"


@pytest.fixture(scope="session")
def neo4j_target() -> Neo4jTarget:
    kind = neo4j_kind()
    if kind == "external":
        yield Neo4jTarget(os.environ["NEO4J_URI"], os.environ.get("NEO4J_USER", "neo4j"),
                          os.environ.get("NEO4J_PASSWORD", ""), "external")
        return
    if kind == "testcontainers":
        from testcontainers.neo4j import Neo4jContainer

        with Neo4jContainer(f"neo4j:{localdb.neo4j_version()}-community") as container:
            yield Neo4jTarget(container.get_connection_url(), "neo4j", container.password, "testcontainers")
        return
    inst = localdb.instance("test")
    localdb.start(inst)  # workers of a parallel run take turns here: one server starts
    # GRAPHSVC_TEST_ROUTING=1 (`make test-routing`): the same server through the `neo4j://`
    # routing scheme, as against a cluster (docs/scaling.md).
    uri = inst.uri.replace("bolt://", "neo4j://") if os.environ.get("GRAPHSVC_TEST_ROUTING") else inst.uri
    yield Neo4jTarget(uri, "neo4j", inst.password, "local", inst)


# The longest files first: `--dist loadfile` hands files to workers in collection order,
# so a long file collected last would run alone while the other worker idles.
LONGEST_FIRST = ["test_offline_import.py", "test_hostile.py", "test_unicode.py", "test_events.py",
                 "test_races.py", "test_graph.py", "test_import.py", "test_faults.py", "test_soak.py"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


_WAS_RUNNING = pytest.StashKey[bool]()
# Each run writes its graphsvc servers' output to a folder of its own under here; the
# newest few runs stay, for a look after a failure.
SERVER_LOGS = ROOT / ".neo4j" / "test-logs"
KEEP_RUNS = 5


def _logs_for_this_run() -> None:
    """Name this run's log folder in the environment (pytest-xdist workers inherit it)
    and drop the folders of all but the newest runs."""
    if not (ROOT / ".neo4j").exists() or os.environ.get("GRAPHSVC_TEST_LOGS"):
        return
    run = SERVER_LOGS / f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    run.mkdir(parents=True)
    os.environ["GRAPHSVC_TEST_LOGS"] = str(run)
    for old in sorted(SERVER_LOGS.iterdir())[:-KEEP_RUNS]:
        shutil.rmtree(old, ignore_errors=True)


def pytest_configure(config: pytest.Config) -> None:
    """The run as a whole (the only process, or pytest-xdist's controller) notes whether the
    local test Neo4j already ran, so that it stops only a server that this run started, and
    only once every worker is done with it."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        _logs_for_this_run()
        inst = localdb.instance("test")
        config.stash[_WAS_RUNNING] = localdb.pid_of(inst) is not None
        # A parallel run starts the local Neo4j while its workers collect; their session
        # fixture then finds it up, or waits for it on the start lock.
        if (getattr(config.option, "numprocesses", None) and not config.option.collectonly
                and neo4j_kind() == "local"):
            threading.Thread(target=localdb.start, args=(inst,), daemon=True).start()


def pytest_unconfigure(config: pytest.Config) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER") or neo4j_kind() != "local":
        return
    if config.stash.get(_WAS_RUNNING, True) or os.environ.get("GRAPHSVC_KEEP_TEST_NEO4J"):
        return
    inst = localdb.instance("test")
    if localdb.pid_of(inst) is not None:
        localdb.stop(inst)



@pytest.fixture(scope="session")
def driver(neo4j_target: Neo4jTarget):
    with GraphDatabase.driver(neo4j_target.uri, auth=(neo4j_target.user, neo4j_target.password)) as d:
        yield d


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A graphsvc process serving on loopback, as its users would call it."""

    def __init__(self, target: Neo4jTarget, **env: str):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        logs = os.environ.get("GRAPHSVC_TEST_LOGS")
        self.log_path = Path(logs) / f"graphsvc-{self.port}.log" if logs else None
        self.log = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL
        full_env = {**os.environ, "NEO4J_URI": target.uri, "NEO4J_USER": target.user,
                    "NEO4J_PASSWORD": target.password, "GRAPHSVC_JWT_SECRET": SECRET,
                    "GRAPHSVC_SECRET_KEY": SECRET_KEY,
                    "GRAPHSVC_DB_TIMEOUT": "3", **DISPATCH_ENV, **env}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "graphsvc.api.app:app", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "warning", "--timeout-graceful-shutdown", "10",
             "--timeout-keep-alive", "75"],  # as `graphsvc serve` runs it
            env=full_env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"graphsvc exited with {self.proc.returncode}")
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("graphsvc did not become ready")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        if self.log is not subprocess.DEVNULL:
            self.log.close()


@pytest.fixture(scope="session")
def server(neo4j_target: Neo4jTarget):
    srv = Server(neo4j_target, **DISPATCH_ENV)
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def http(server: Server):
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


class Caller:
    """One caller of the API: an org, a token, and helpers that send both headers."""

    def __init__(self, http: httpx.Client, org: str, sub: str, role: str = "customer", email: str | None = None):
        self.http, self.org, self.sub, self.role, self.email = http, org, sub, role, email
        self.token = mint(SECRET, sub, org, role, email)

    @property
    def headers(self) -> dict:
        return {"orgid": self.org, "Authorization": f"Bearer {self.token}"}

    def request(self, method: str, path: str, **kw) -> httpx.Response:
        return self.http.request(method, path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def get(self, path: str, **kw) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, json=None, **kw) -> httpx.Response:
        return self.request("POST", path, json=json, **kw)

    def put(self, path: str, json=None, **kw) -> httpx.Response:
        return self.request("PUT", path, json=json, **kw)

    def delete(self, path: str, **kw) -> httpx.Response:
        return self.request("DELETE", path, **kw)


class Org:
    """A fresh tenant per test: nothing another test did is visible in it."""

    def __init__(self, http: httpx.Client):
        self.http = http
        self.id = "org-" + uuid.uuid4().hex[:12]

    def member(self, sub: str, email: str | None = None) -> Caller:
        return Caller(self.http, self.id, sub, "customer", email)

    def staff(self, sub: str = "staff_1") -> Caller:
        return Caller(self.http, self.id, sub, "staff")

    def service(self, sub: str = "svc_feed") -> Caller:
        return Caller(self.http, self.id, sub, "service")

    def analyst(self, sub: str = "ana_1") -> Caller:
        return Caller(self.http, self.id, sub, "analyst")


@pytest.fixture
def org(http: httpx.Client) -> Org:
    return Org(http)


@pytest.fixture
def other_org(http: httpx.Client) -> Org:
    return Org(http)


def assert_error(resp: httpx.Response, status: int, code: str | None = None) -> dict:
    assert resp.status_code == status, (resp.status_code, resp.text)
    body = resp.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]), body
    if code:
        assert body["error"]["code"] == code, body
    return body


@pytest.fixture
def receivers():
    """Webhook receivers on loopback (`receivers(**Receiver kwargs)`), closed after the test."""
    from .receivers import Receiver

    made: list[Receiver] = []

    def make(**kw) -> Receiver:
        made.append(Receiver(**kw))
        return made[-1]

    yield make
    for r in made:
        r.close()
