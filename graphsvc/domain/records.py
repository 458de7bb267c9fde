"""How answers and events write a connection and name a person, shared by every
capability that reports connections (connections, blocks, the sign-in fold)."""

from __future__ import annotations

import json
from typing import Any


def _iso(value: Any) -> str | None:
    return value.iso_format() if hasattr(value, "iso_format") else value


def record(row: dict) -> dict:
    """The public connection record from a statement's {rel, requester, target[, user]}."""
    rel = row["rel"]
    out = {
        "id": rel["id"],
        "status": rel["status"],
        "requesterId": row["requester"]["id"],
        "requesterEmail": row["requester"]["email"],
        "targetId": row["target"]["id"],
        "targetEmail": row["target"]["email"],
        "message": rel.get("message"),
        "context": json.loads(rel["context"]) if rel.get("context") else None,
        "requestedAt": _iso(rel.get("requestedAt")),
        "respondedAt": _iso(rel.get("respondedAt")),
    }
    if "user" in row:
        out["user"] = row["user"]
    return out


def party_name(side: dict) -> str:
    """How events name a person from a statement's {id, email}: the id, else the email."""
    return side["id"] or side["email"]
