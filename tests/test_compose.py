"""compose.yaml and the Dockerfile are wired together correctly.

No Docker engine runs here, so this reads the files instead of running them:
service names, ports, credentials and health checks must agree with each other
and with what graphsvc reads from its environment. Needs no database.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from graphsvc.ops import localdb

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def service(name: str) -> dict:
    services = compose()["services"]
    assert name in services, f"compose.yaml has no service {name!r}"
    return services[name]


def env(name: str) -> dict[str, str]:
    """A service's environment as a dict, from either the mapping or the list form."""
    raw = service(name).get("environment") or {}
    if isinstance(raw, list):
        pairs = (item.split("=", 1) if "=" in item else (item, None) for item in raw)
        return {k: v for k, v in pairs}
    return {k: (None if v is None else str(v)) for k, v in raw.items()}


def ports(name: str) -> list[tuple[str | None, str, str]]:
    """(host_ip, published, target) for each published port, short or long syntax."""
    out = []
    for p in service(name).get("ports") or []:
        if isinstance(p, dict):
            out.append((p.get("host_ip"), str(p.get("published")), str(p["target"])))
        else:
            parts = str(p).split("/")[0].rsplit(":", 2)
            if len(parts) == 3:
                out.append((parts[0], parts[1], parts[2]))
            elif len(parts) == 2:
                out.append((None, parts[0], parts[1]))
            else:
                out.append((None, "", parts[0]))
    return out


def healthcheck_text(name: str) -> str:
    hc = service(name).get("healthcheck")
    assert hc, f"{name} has no healthcheck"
    test = hc.get("test")
    assert test, f"{name} healthcheck has no test command"
    if isinstance(test, list):
        assert test[0] in ("CMD", "CMD-SHELL"), f"{name} healthcheck test starts with {test[0]!r}"
        assert len(test) > 1
        return " ".join(test[1:])
    return str(test)


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


# --- compose.yaml ---------------------------------------------------------------------


def test_graphsvc_waits_for_healthy_neo4j():
    depends = service("graphsvc").get("depends_on")
    assert isinstance(depends, dict), "depends_on must use the long form to carry a condition"
    assert depends["neo4j"]["condition"] == "service_healthy"


def test_neo4j_image_is_the_version_the_suite_runs():
    """Compose cannot run here; the local server's jars can, so the image must be their version."""
    assert service("neo4j")["image"] == f"neo4j:{localdb.neo4j_version()}-community"


def test_neo4j_healthcheck_really_checks_the_server():
    text = healthcheck_text("neo4j")
    assert "cypher-shell" in text or "7474" in text or "7687" in text, text
    # `$` in a healthcheck must be `$$`, or compose interpolates it on the host.
    assert "$" not in text.replace("$$", ""), text
    hc = service("neo4j")["healthcheck"]
    for key in ("interval", "timeout", "retries", "start_period"):
        assert key in hc, f"neo4j healthcheck has no {key}"
    assert int(hc["retries"]) >= 3


def test_graphsvc_healthcheck_hits_readyz_on_its_own_port():
    text = healthcheck_text("graphsvc")
    port = env("graphsvc")["GRAPHSVC_PORT"]
    assert f"127.0.0.1:{port}/readyz" in text, text
    assert "python" in text and "curl" not in text, "the image has python and no curl"


def test_password_matches_on_both_sides():
    auth = env("neo4j")["NEO4J_AUTH"]
    assert auth.startswith("neo4j/"), auth
    neo4j_side = auth[len("neo4j/"):]
    graphsvc_side = env("graphsvc")["NEO4J_PASSWORD"]
    assert neo4j_side == graphsvc_side
    assert env("graphsvc")["NEO4J_USER"] == "neo4j"
    # The default must satisfy Neo4j's minimum password length (8).
    default = re.fullmatch(r"\$\{NEO4J_PASSWORD:-(.+)\}", graphsvc_side)
    assert default and len(default.group(1)) >= 8, graphsvc_side


def test_neo4j_uri_points_at_the_neo4j_service_bolt_port():
    uri = urlsplit(env("graphsvc")["NEO4J_URI"])
    assert uri.scheme in ("bolt", "neo4j"), uri.scheme
    assert uri.hostname == "neo4j" and uri.hostname in compose()["services"]
    listen = env("neo4j").get("NEO4J_server_bolt_listen__address", ":7687")
    bolt_port = int(listen.rsplit(":", 1)[1])
    assert uri.port == bolt_port == 7687
    assert str(bolt_port) in {target for _, _, target in ports("neo4j")}


def test_published_ports_bind_loopback_only():
    for name in compose()["services"]:
        for host_ip, published, target in ports(name):
            assert host_ip == "127.0.0.1", f"{name} publishes {published}:{target} on {host_ip or 'all interfaces'}"
    assert {t for _, _, t in ports("neo4j")} >= {"7474", "7687"}
    assert ("127.0.0.1", "8000", "8000") in ports("graphsvc")


def test_neo4j_data_is_on_a_named_volume():
    vols = service("neo4j").get("volumes") or []
    named = compose().get("volumes") or {}
    data = [v for v in vols if str(v).endswith(":/data")]
    assert data, vols
    assert data[0].split(":")[0] in named


def test_graphsvc_serving_environment():
    e = env("graphsvc")
    assert e["GRAPHSVC_HOST"] == "0.0.0.0"
    assert e["GRAPHSVC_PORT"] == "8000"
    assert e["NEO4J_DATABASE"] == "neo4j"
    assert e["GRAPHSVC_JWT_SECRET"].startswith("${GRAPHSVC_JWT_SECRET:?"), "the JWT secret must be required"
    assert service("graphsvc").get("build") in (".", {"context": "."})


def test_every_neo4j_variable_the_service_reads_is_set_or_defaulted():
    e = env("graphsvc")
    for name in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        assert e.get(name), f"{name} not set for graphsvc in compose.yaml"
    source = "\n".join(p.read_text() for p in sorted((ROOT / "graphsvc").glob("*.py")))
    read = set(re.findall(r"""os\.environ(?:\.get\(|\[)\s*["'](NEO4J_\w+)["']""", source))
    assert "NEO4J_URI" in read, "the grep for os.environ reads found nothing: fix the regex"
    for name in sorted(read):
        defaulted = re.search(rf"""os\.environ\.get\(\s*["']{name}["']\s*,""", source)
        assert name in e or defaulted, f"graphsvc reads {name}, which compose.yaml neither sets nor has a default"


# --- Dockerfile -----------------------------------------------------------------------


def test_dockerfile():
    assert DOCKERFILE.exists()
    instr = dockerfile_instructions()
    froms = [rest for word, rest in instr if word == "FROM"]
    assert froms and froms[0].startswith("python:3.11"), froms
    cmd = [rest for word, rest in instr if word == "CMD"]
    assert cmd, "no CMD"
    assert json.loads(cmd[-1]) == ["graphsvc", "serve"]
    assert "8000" in [rest for word, rest in instr if word == "EXPOSE"][0].split()
    users = [rest for word, rest in instr if word == "USER"]
    assert users and users[-1] not in ("root", "0"), "the service must not run as root"
    copied = " ".join(rest for word, rest in instr if word in ("COPY", "ADD"))
    for src in ("pyproject.toml", "graphsvc", "cypher"):
        assert src in copied, f"{src} is not copied into the image"
    # graphsvc finds cypher/ beside its package dir, so the install must be editable.
    runs = " ".join(rest for word, rest in instr if word == "RUN")
    assert re.search(r"pip install .*-e \.", runs), runs


def test_dockerignore_keeps_the_context_small():
    ignored = {line.strip().strip("/") for line in DOCKERIGNORE.read_text().splitlines()}
    for entry in (".venv", ".neo4j", ".git", "bench-results"):
        assert entry in ignored, f"{entry} is not in .dockerignore"
    assert "__pycache__" in ignored or "**/__pycache__" in ignored
