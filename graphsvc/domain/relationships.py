"""Where the acting member stands with many people at once: follows both ways, the
follow request, the connection, blocks both ways, the mute and mutual connections."""

from __future__ import annotations

from ..db import S, Tx, one
from ..people import PersonRef


async def of(tx: Tx, org: str, me: PersonRef, targets: list[PersonRef]) -> list[dict]:
    """One item per target, in the order given."""
    row = await one(tx, S.relationships.get, org=org, meId=me.id, meEmail=me.email,
                    targets=[t.params() for t in targets])
    return row["data"]
