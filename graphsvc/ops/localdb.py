"""The project's own Neo4j Community server, run from jars that Maven fetched.

No Docker engine runs on the machines this project is built on, so the server is
started straight from its entry point (`org.neo4j.server.Neo4jCommunity`)
with the JVM flags the official launcher passes, bound to loopback only. It needs
Java 21 or newer, found as `_java_binary` says.

Each instance lives in `.neo4j/<name>/` (conf, data, logs, pid, password); the
jars are shared in `.neo4j/lib/`; `backup` / `restore` write and read dumps of an
instance's database (`.neo4j/backups/` unless told otherwise). `dev` keeps fixed ports (Bolt 7687, Browser on
7474) so people can find it; `test` picks free ports on every start.
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NEO4J_DIR = Path(os.environ.get("GRAPHSVC_NEO4J_DIR", ROOT / ".neo4j"))
LIB = NEO4J_DIR / "lib"
POM = ROOT / "neo4j" / "pom.xml"
ENTRY_POINT = "org.neo4j.server.Neo4jCommunity"
JAVA_MIN = 21
JDKS = Path("/usr/lib/jvm")  # where Debian and the Temurin packages install JDKs side by side
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
BACKUPS = NEO4J_DIR / "backups"

JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
]


@dataclass(frozen=True)
class Instance:
    name: str
    bolt_port: int  # 0: a free port is picked at each start
    http_port: int
    heap: str
    pagecache: str

    @property
    def home(self) -> Path:
        return NEO4J_DIR / self.name

    @property
    def state_file(self) -> Path:
        return self.home / "state.json"

    def state(self) -> dict:
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return {}

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.state().get('bolt_port', self.bolt_port)}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.state().get('http_port', self.http_port)}"

    @property
    def password(self) -> str:
        path = self.home / "password"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(16))  # hex: never starts with "-", which neo4j-admin would read as an option
            path.chmod(0o600)
        return path.read_text().strip()


def env_prefix(name: str) -> str:
    """GRAPHSVC_<NAME>_NEO4J_, a hyphen in the name read as an underscore (a shell cannot
    set a variable with a hyphen: `bench-1000000` is GRAPHSVC_BENCH_1000000_NEO4J_*)."""
    return f"GRAPHSVC_{name.upper().replace('-', '_')}_NEO4J_"


def instance(name: str) -> Instance:
    """The named instance, with ports and memory overridable from the environment."""
    defaults = {"dev": (7687, 7474, "1g", "1g"), "bench": (0, 0, "3g", "3g")}
    # bench-* instances (e.g. the graph-size comparison's) are sized like bench; any other
    # name (test, fault, ...) is a small instance on free ports.
    bolt, http, heap, pagecache = defaults.get("bench" if name.startswith("bench") else name,
                                               (0, 0, "768m", "512m"))
    prefix = env_prefix(name)
    return Instance(
        name=name,
        bolt_port=int(os.environ.get(prefix + "BOLT_PORT", bolt)),
        http_port=int(os.environ.get(prefix + "HTTP_PORT", http)),
        heap=os.environ.get(prefix + "HEAP", heap),
        pagecache=os.environ.get(prefix + "PAGECACHE", pagecache),
    )


def neo4j_version() -> str:
    """The Neo4j release the jars are fetched at: the one the suite runs, and compose's image."""
    return POM.read_text().split("<neo4j.version>", 1)[1].split("<", 1)[0]


def log(msg: str) -> None:
    print(f"[neo4j] {msg}", file=sys.stderr, flush=True)


def fetch_jars() -> None:
    """Copy Neo4j Community and its runtime dependencies into .neo4j/lib (once)."""
    marker = LIB / ".fetched"
    if marker.exists() and marker.stat().st_mtime >= POM.stat().st_mtime:
        return
    if not shutil.which("mvn"):
        raise SystemExit("Maven (mvn) is needed to fetch Neo4j; install it or set NEO4J_URI")
    log("fetching Neo4j Community jars with Maven (first run only)...")
    if LIB.exists():
        shutil.rmtree(LIB)
    LIB.mkdir(parents=True)
    subprocess.run(
        ["mvn", "-q", "-B", "-f", str(POM), "dependency:copy-dependencies",
         f"-DoutputDirectory={LIB}", "-DincludeScope=runtime"],
        check=True,
    )
    marker.touch()
    log(f"{len(list(LIB.glob('*.jar')))} jars in {LIB}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def pid_of(inst: Instance) -> int | None:
    pid = inst.state().get("pid")
    if not pid:
        return None
    try:
        os.kill(pid, 0)
    except OSError:
        return None
    cmdline = _cmdline(pid)
    if cmdline is None:
        return pid
    # A recycled pid belongs to something else; a server of an earlier release (another
    # entry point) is still this instance's, so that `stop` and `start` can replace it.
    return pid if b"org.neo4j.server." in cmdline and str(inst.home).encode() in cmdline else None


def _cmdline(pid: int) -> bytes | None:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None


def _write_conf(inst: Instance, bolt: int, http: int) -> None:
    conf = inst.home / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "neo4j.conf").write_text(
        "\n".join([
            "# Written by graphsvc/ops/localdb.py at each start; edit that file, not this one.",
            "server.default_listen_address=127.0.0.1",
            "server.default_advertised_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{bolt}",
            # The routing table a `neo4j://` driver follows names this, not the default 7687.
            f"server.bolt.advertised_address=127.0.0.1:{bolt}",
            f"server.http.listen_address=127.0.0.1:{http}",
            f"server.http.advertised_address=127.0.0.1:{http}",
            "server.https.enabled=false",
            "dbms.usage_report.enabled=false",
            f"server.memory.heap.initial_size={inst.heap}",
            f"server.memory.heap.max_size={inst.heap}",
            f"server.memory.pagecache.size={inst.pagecache}",
            f"server.directories.data={inst.home / 'data'}",
            f"server.directories.logs={inst.home / 'logs'}",
            f"server.directories.run={inst.home / 'run'}",
            f"server.directories.plugins={inst.home / 'plugins'}",
            f"server.directories.import={inst.home / 'import'}",
            # Analysts' queries are logged by graphsvc itself; keep Neo4j's own log for slow ones.
            "db.logs.query.threshold=1s",
            # A local server is stopped when its clients are done; Neo4j's defaults wait 5 s
            # twice for Bolt connections and threads that are already gone.
            "internal.server.bolt.connection_shutdown_wait_time=1s",
            "internal.server.bolt.thread_pool_shutdown_wait_time=1s",
            "",
        ])
    )


def _java_major(java: str) -> int:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.SubprocessError):
        return 0
    # `openjdk version "25.0.3" 2026-04-21`, `"17.0.15"`, or `"1.8.0_402"` of old.
    version = out.split('"')[1] if out.count('"') >= 2 else "0"
    major = version.split(".")[1] if version.startswith("1.") else version.split(".")[0]
    return int(major) if major.isdigit() else 0


@functools.cache
def _java_binary() -> str:
    """The first Java 21+ of: $GRAPHSVC_JAVA, $JAVA_HOME, the PATH, then the JDKs installed
    side by side under JDKS (newest first), so a machine whose default Java is
    older still runs the server without being configured."""
    named = [os.environ.get("GRAPHSVC_JAVA"),
             os.environ.get("JAVA_HOME") and os.path.join(os.environ["JAVA_HOME"], "bin", "java"),
             shutil.which("java")]
    for java in filter(None, named):
        if _java_major(java) >= JAVA_MIN:
            return java
    installed = sorted(((_java_major(str(p)), str(p)) for p in JDKS.glob("*/bin/java")), reverse=True)
    if installed and installed[0][0] >= JAVA_MIN:
        return installed[0][1]
    raise SystemExit(f"Neo4j needs Java {JAVA_MIN} or newer and none was found: set GRAPHSVC_JAVA or JAVA_HOME "
                     "to one, or set NEO4J_URI to a running Neo4j")


def _java(*args: str, heap: str | None = None, home: Path) -> list[str]:
    java = _java_binary()
    mem = [f"-Xms{heap}", f"-Xmx{heap}"] if heap else []
    return [java, *mem, *JVM_FLAGS, "-cp", str(LIB / "*"), *args]


def start(inst: Instance, timeout: float = 180.0) -> Instance:
    """Start the instance unless it already runs; return once Bolt answers. Concurrent
    callers (two test runs at once) take turns, so one server starts and both use it."""
    fetch_jars()
    inst.home.mkdir(parents=True, exist_ok=True)
    with open(inst.home / "start.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _start(inst, timeout)


def _start(inst: Instance, timeout: float) -> Instance:
    pid = pid_of(inst)
    cmdline = _cmdline(pid) if pid else None
    if cmdline is not None and ENTRY_POINT.encode() not in cmdline:
        log(f"{inst.name} runs an earlier Neo4j release; restarting it on {neo4j_version()}")
        stop(inst)
    elif pid and _port_open(inst.state().get("bolt_port", -1)):
        return inst
    home = inst.home
    for sub in ("data", "logs", "run", "plugins", "import"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    # Keep the ports of the last start, so clients configured then find it again.
    previous = inst.state()
    bolt = inst.bolt_port or previous.get("bolt_port") or _free_port()
    http = inst.http_port or previous.get("http_port") or _free_port()
    for port in (bolt, http):
        if _port_open(port):
            raise SystemExit(f"port {port} on 127.0.0.1 is taken; set {env_prefix(inst.name)}*_PORT")
    _write_conf(inst, bolt, http)
    env = {**os.environ, "NEO4J_HOME": str(home), "NEO4J_CONF": str(home / "conf")}
    if not (home / "data" / "dbms" / "auth.ini").exists() and not (home / "data" / "databases").exists():
        subprocess.run(
            _java(ADMIN_TOOL, "dbms", "set-initial-password", inst.password, home=home),
            env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    console = open(home / "logs" / "console.log", "ab")
    proc = subprocess.Popen(
        _java(ENTRY_POINT, f"--home-dir={home}", f"--config-dir={home / 'conf'}", "--console-mode",
              heap=inst.heap, home=home),
        env=env, stdout=console, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True, cwd=home,
    )
    inst.state_file.write_text(json.dumps({"pid": proc.pid, "bolt_port": bolt, "http_port": http}))
    log(f"starting {inst.name} (pid {proc.pid}, bolt 127.0.0.1:{bolt}, browser {inst.http_url}/browser/)")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"Neo4j exited with {proc.returncode}; see {home / 'logs' / 'console.log'}")
        if _port_open(bolt) and _bolt_answers(inst):
            log(f"{inst.name} ready")
            return inst
        time.sleep(0.5)
    raise SystemExit(f"Neo4j did not answer on Bolt within {timeout:.0f}s; see {home / 'logs'}")


def _bolt_answers(inst: Instance) -> bool:
    from neo4j import GraphDatabase

    try:
        with GraphDatabase.driver(inst.uri, auth=("neo4j", inst.password)) as driver:
            driver.execute_query("RETURN 1")
        return True
    except Exception:  # not up yet: any failure means "try again"
        return False


def stop(inst: Instance, timeout: float = 60.0) -> None:
    pid = pid_of(inst)
    if not pid:
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and pid_of(inst):
        time.sleep(0.3)
    if pid_of(inst):
        os.kill(pid, signal.SIGKILL)
    log(f"{inst.name} stopped")


def kill(inst: Instance) -> None:
    """kill -9, for fault tests: no shutdown, no flush beyond the transaction log."""
    pid = pid_of(inst)
    if pid:
        os.kill(pid, signal.SIGKILL)
        while pid_of(inst):
            time.sleep(0.1)


def reset(inst: Instance) -> None:
    stop(inst)
    if inst.home.exists():
        shutil.rmtree(inst.home)
    log(f"{inst.name} wiped")


def _admin(inst: Instance, *args: str, stdin_path: Path | None = None) -> subprocess.CompletedProcess:
    """Run neo4j-admin against the instance's home and configuration."""
    env = {**os.environ, "NEO4J_HOME": str(inst.home), "NEO4J_CONF": str(inst.home / "conf")}
    inst.home.mkdir(parents=True, exist_ok=True)
    with open(stdin_path, "rb") if stdin_path else open(os.devnull, "rb") as stdin:
        return subprocess.run(_java(ADMIN_TOOL, *args, home=inst.home), env=env, stdin=stdin,
                              capture_output=True, text=True, cwd=inst.home, check=False)


def _failed(what: str, result: subprocess.CompletedProcess) -> SystemExit:
    detail = (result.stderr.strip() or result.stdout.strip()).splitlines()
    return SystemExit(f"{what} failed (exit {result.returncode}): {' / '.join(detail[-3:])}")


@contextmanager
def _offline(inst: Instance, restart: bool | None = None) -> Iterator[None]:
    """The instance stopped for the duration, then started again if it ran before (or
    if `restart` says so). Holds the start lock, so a concurrent `start` waits."""
    with open(inst.home / "start.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        running = pid_of(inst) is not None
        stop(inst)
        try:
            yield
        finally:
            if running if restart is None else restart:
                _start(inst, 180.0)


def backup(inst: Instance, to: Path | None = None, force: bool = False, database: str = "neo4j") -> Path:
    """Dump the instance's database to one file (stop, dump, start again if it ran).
    Refuses to replace an existing file unless `force`. The dump is written beside its
    destination and renamed into place, so the file is never half written."""
    to = Path(to) if to else BACKUPS / f"{inst.name}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.dump"
    if to.exists() and not force:
        raise SystemExit(f"{to} already exists; pass --force to replace it")
    if not (inst.home / "data" / "databases" / database).is_dir() or not (inst.home / "conf").is_dir():
        raise SystemExit(f"instance {inst.name} has no database {database!r} to back up")
    to.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".dump-", dir=to.parent))
    try:
        started = time.monotonic()
        with _offline(inst):
            result = _admin(inst, "database", "dump", database, f"--to-path={work}")
        if result.returncode != 0:
            raise _failed("neo4j-admin database dump", result)
        os.replace(work / f"{database}.dump", to)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log(f"{inst.name}: {database} dumped to {to} ({to.stat().st_size} bytes, {time.monotonic() - started:.1f}s "
        "including the restart)")
    return to


def holds_data(inst: Instance, database: str = "neo4j") -> bool:
    """Whether the running instance's database has any node at all."""
    from neo4j import GraphDatabase

    with GraphDatabase.driver(inst.uri, auth=("neo4j", inst.password)) as driver:
        records = driver.execute_query("MATCH (n) RETURN 1 AS any LIMIT 1", database_=database).records
    return bool(records)


def restore(inst: Instance, source: Path, force: bool = False, database: str = "neo4j") -> None:
    """Replace the instance's database with a dump (stop, load, start). Refuses a file
    neo4j-admin cannot read, and a database holding data unless `force`, before
    anything is stopped. Only `database` is replaced: users and passwords (the system
    database) stay as they are. Leaves the instance running."""
    source = Path(source)
    if not source.is_file():
        raise SystemExit(f"no backup file {source}")
    info = _admin(inst, "database", "load", database, "--info", "--from-stdin", stdin_path=source)
    if info.returncode != 0:
        raise _failed(f"reading {source} as a Neo4j dump", info)
    start(inst)  # a fresh instance gets its system database and password first
    if not force and holds_data(inst, database):
        raise SystemExit(f"the {database} database of instance {inst.name} holds data; "
                         "pass --force to replace it with the backup")
    started = time.monotonic()
    with _offline(inst, restart=True):
        result = _admin(inst, "database", "load", database, "--from-stdin", "--overwrite-destination=true",
                        stdin_path=source)
    if result.returncode != 0:
        raise _failed("neo4j-admin database load", result)
    log(f"{inst.name}: {database} restored from {source} ({time.monotonic() - started:.1f}s including the restart)")


# ---- neo4j-admin for offline builds (`graphsvc import --offline`, graphsvc/ops/offline.py) ----

def admin_ready(inst: Instance) -> None:
    """What neo4j-admin needs to work on an instance that may never have run: its conf
    (where the data lives) and, as a first start would, the initial password. Nothing
    is started, which spares a first start and stop before an offline build."""
    for sub in ("data", "logs", "run", "plugins", "import"):
        (inst.home / sub).mkdir(parents=True, exist_ok=True)
    if not (inst.home / "conf" / "neo4j.conf").exists():
        state = inst.state()  # the ports are rewritten at each start; these only fill the file
        _write_conf(inst, state.get("bolt_port", inst.bolt_port), state.get("http_port", inst.http_port))
    env = {**os.environ, "NEO4J_HOME": str(inst.home), "NEO4J_CONF": str(inst.home / "conf")}
    if not (inst.home / "data" / "dbms" / "auth.ini").exists() and not (inst.home / "data" / "databases").exists():
        subprocess.run(_java(ADMIN_TOOL, "dbms", "set-initial-password", inst.password, home=inst.home),
                       env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def store_paths(inst: Instance, database: str = "neo4j") -> list[Path]:
    """The directories that hold one database of the instance: its store and its transaction logs."""
    data = inst.home / "data"
    return [data / "databases" / database, data / "transactions" / database]


def run_admin(inst: Instance, *args: str, heap: str | None = None,
              on_line: Callable[[str], None] | None = None) -> tuple[int, list[str]]:
    """neo4j-admin on the instance's conf, its output handed over line by line as it
    comes (an import runs for minutes); (exit status, its last 40 lines)."""
    env = {**os.environ, "NEO4J_HOME": str(inst.home), "NEO4J_CONF": str(inst.home / "conf")}
    tail: list[str] = []
    proc = subprocess.Popen(_java(ADMIN_TOOL, *args, heap=heap, home=inst.home), env=env, cwd=inst.home,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.rstrip("\n")
        tail = (tail + [line])[-40:]
        if on_line:
            on_line(line)
    return proc.wait(), tail
