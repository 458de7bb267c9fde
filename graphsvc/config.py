"""Settings, read once from the environment.

With `NEO4J_URI` unset the service talks to the project's own local Neo4j
(`.neo4j/dev`), and a JWT secret is generated and kept in `.graphsvc-secret`.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from .ops import localdb


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def local_secret(name: str = ".graphsvc-secret") -> str:
    """A random secret kept in an ignored project file, made on first use (local dev only)."""
    path = localdb.ROOT / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _secret_keys() -> tuple[str, ...]:
    """GRAPHSVC_SECRET_KEY (comma-separated; the first seals): the key webhook signing secrets
    are sealed with (graphsvc/sealing.py). Local dev without NEO4J_URI gets a generated one in
    `.graphsvc-secret-key`; a deployment without the key refuses to store webhook secrets."""
    value = os.environ.get("GRAPHSVC_SECRET_KEY", "").strip()
    if not value and not os.environ.get("NEO4J_URI"):
        value = local_secret(".graphsvc-secret-key")
    keys = tuple(k.strip() for k in value.split(",") if k.strip())
    if any(len(k) < 32 for k in keys):
        raise ValueError("GRAPHSVC_SECRET_KEY: each key needs at least 32 random characters")
    return keys


@dataclass(frozen=True)
class Settings:
    neo4j_uri: str
    neo4j_user: str
    neo4j_password: str
    neo4j_database: str
    jwt_secret: str | None
    jwt_public_key: str | None
    # How long a request may wait for Neo4j before answering 503.
    db_timeout: float = 5.0
    pool_size: int = 100
    max_body_bytes: int = 1_000_000
    max_follows: int = 5000
    max_pending_requests: int = 1000
    # People you may know walk at most this many of your friends, and this many of each
    # friend's friends, the first by id when there are more (cypher/graph/suggestions).
    suggestion_max_friends: int = 1000
    suggestion_fanout: int = 1000
    analyst_timeout: float = 10.0
    analyst_row_cap: int = 10_000
    # Keys that seal webhook signing secrets at rest; empty: webhooks cannot be registered.
    secret_keys: tuple[str, ...] = ()

    @property
    def jwt_algorithms(self) -> list[str]:
        # Exactly one family is accepted, so an HS256 token signed with the RS public
        # key (algorithm confusion) can never verify.
        return ["RS256"] if self.jwt_public_key else ["HS256"]

    @property
    def jwt_key(self) -> str:
        return self.jwt_public_key or self.jwt_secret or ""


def load() -> Settings:
    uri = os.environ.get("NEO4J_URI")
    if uri:
        password = os.environ.get("NEO4J_PASSWORD", "")
    else:
        dev = localdb.instance("dev")
        uri, password = dev.uri, dev.password
    public_key = os.environ.get("GRAPHSVC_JWT_PUBLIC_KEY")
    key_file = os.environ.get("GRAPHSVC_JWT_PUBLIC_KEY_FILE")
    if key_file and not public_key:
        public_key = Path(key_file).read_text()
    secret = os.environ.get("GRAPHSVC_JWT_SECRET")
    if not secret and not public_key and not os.environ.get("NEO4J_URI"):
        secret = local_secret()
    return Settings(
        neo4j_uri=uri,
        neo4j_user=os.environ.get("NEO4J_USER", "neo4j"),
        neo4j_password=password,
        neo4j_database=os.environ.get("NEO4J_DATABASE", "neo4j"),
        jwt_secret=secret,
        jwt_public_key=public_key,
        db_timeout=_float("GRAPHSVC_DB_TIMEOUT", 5.0),
        pool_size=_int("GRAPHSVC_POOL_SIZE", 100),
        max_body_bytes=_int("GRAPHSVC_MAX_BODY_BYTES", 1_000_000),
        max_follows=_int("GRAPHSVC_MAX_FOLLOWS", 5000),
        max_pending_requests=_int("GRAPHSVC_MAX_PENDING_REQUESTS", 1000),
        suggestion_max_friends=_int("GRAPHSVC_SUGGESTION_MAX_FRIENDS", 1000),
        suggestion_fanout=_int("GRAPHSVC_SUGGESTION_FANOUT", 1000),
        analyst_timeout=_float("GRAPHSVC_ANALYST_TIMEOUT", 10.0),
        analyst_row_cap=_int("GRAPHSVC_ANALYST_ROW_CAP", 10_000),
        secret_keys=_secret_keys(),
    )
