"""Opaque cursors for lists walked by keyset: where a walk stands, and which list it walks.

A cursor names its list (an endpoint, plus what scopes it: org, member, filter), so
one issued for another list, or a malformed one, is a 400 `bad_cursor` rather than a
silent jump. It is not a secret: it only says where the caller's own walk stood.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from ..errors import BAD_CURSOR


def encode(scope: list[Any], after: Any) -> str:
    raw = json.dumps({"s": scope, "a": after}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, scope: list[Any], kind: type = str) -> Any:
    """The position a cursor holds (of type `kind`), if it was issued for this list."""
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise BAD_CURSOR() from None
    issued_for = json.loads(json.dumps(scope))  # compared as JSON: tuples come back as lists
    if not isinstance(body, dict) or body.get("s") != issued_for or not isinstance(body.get("a"), kind):
        raise BAD_CURSOR()
    return body["a"]
