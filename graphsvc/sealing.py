"""Secrets at rest: sealed with AES-256-GCM under a key only the service processes hold.

Webhook signing secrets live in Neo4j, where analysts run Cypher over the whole graph;
a secret readable there lets anyone forge deliveries (issue 19). The key comes from
GRAPHSVC_SECRET_KEY (config.py), never from the graph, so what the graph holds is
useless without it. A sealed value is bound to what it belongs to (the `context`, e.g.
org and webhook id): copied onto another webhook it does not open.

GRAPHSVC_SECRET_KEY may list several keys, comma-separated: the first seals, all open.
Each sealed value names its key by a short id, so a service process re-seals what an
older key sealed (key rotation: put the new key first, restart, drop the old one later).
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "sealed:v1:"
MIN_KEY_CHARS = 32


class SealError(Exception):
    """A sealed value that no configured key opens (a missing or wrong key, or tampering)."""


def _derive(material: str) -> tuple[str, AESGCM]:
    """An AES-256 key from the configured string (any 32+ characters of randomness, e.g.
    `openssl rand -base64 32`), and its id."""
    if len(material) < MIN_KEY_CHARS:
        raise ValueError(f"GRAPHSVC_SECRET_KEY: each key needs at least {MIN_KEY_CHARS} characters")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"graphsvc secrets at rest v1").derive(material.encode())
    return hashlib.sha256(b"graphsvc key id\0" + key).hexdigest()[:8], AESGCM(key)


class Sealer:
    """Seals with the first key, opens with any."""

    def __init__(self, keys: tuple[str, ...]):
        derived = [_derive(k) for k in keys]
        self._sealing = derived[0] if derived else None
        self._opening = dict(derived)

    @property
    def ready(self) -> bool:
        return self._sealing is not None

    @property
    def current(self) -> str:
        """How a value sealed with the sealing key starts; anything else is to be (re)sealed."""
        return f"{PREFIX}{self._sealing[0]}:" if self._sealing else PREFIX

    def seal(self, plain: str, context: str) -> str:
        if self._sealing is None:
            raise SealError("no GRAPHSVC_SECRET_KEY to seal with")
        kid, aead = self._sealing
        nonce = os.urandom(12)
        box = aead.encrypt(nonce, plain.encode(), context.encode())
        return f"{PREFIX}{kid}:{base64.urlsafe_b64encode(nonce + box).decode()}"

    def open(self, stored: str, context: str) -> str:
        """The plain secret. A value stored before sealing existed comes back as it is."""
        if not is_sealed(stored):
            return stored
        kid, _, body = stored[len(PREFIX):].partition(":")
        aead = self._opening.get(kid)
        if aead is None:
            raise SealError(f"sealed with key {kid}, which is not among GRAPHSVC_SECRET_KEY's keys")
        try:
            raw = base64.urlsafe_b64decode(body.encode())
            return aead.decrypt(raw[:12], raw[12:], context.encode()).decode()
        except (InvalidTag, ValueError) as exc:
            raise SealError(f"sealed value does not open with key {kid}: {exc.__class__.__name__}") from None


def is_sealed(stored: str | None) -> bool:
    return bool(stored) and stored.startswith(PREFIX)


@lru_cache(maxsize=8)
def sealer(keys: tuple[str, ...]) -> Sealer:
    """One Sealer per configured key list (key derivation once per process)."""
    return Sealer(keys)
