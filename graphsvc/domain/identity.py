"""People, named by user id or by email, and the claim of email placeholders.

Someone followed or invited by email before they ever signed in is a `Person`
with an email and no id. The first request carrying a token with that `sub` and
`email` claims the placeholder: from then on its edges are that user's. When the
user was also known by id, the two are folded into one, and every duplicate edge
the fold removes gets its event. A token whose email changed moves the member to
the new email (README, Decisions).
"""

from __future__ import annotations

from neo4j.exceptions import ConstraintError

from ..auth import Principal
from ..db import Database, S, Tx, one
from ..people import PersonRef
from .events import emit_many, event
from .graph import refresh_tops
from .records import party_name, record


async def merge_people(tx: Tx, org: str, *refs: PersonRef) -> list[str]:
    """Create the named people if new, lock them all, and return their element ids."""
    ids = sorted({r.id for r in refs if r.id})
    emails = sorted({r.email for r in refs if r.email})
    row = await one(tx, S.identity.merge_people, org=org, ids=ids, emails=emails)
    by_ref = dict(row["pairs"])
    return [by_ref[r.id or r.email] for r in refs]


async def _claim(tx: Tx, org: str, sub: str, email: str) -> None:
    row = await one(tx, S.identity.claim, org=org, sub=sub, email=email)
    if row["touched"]:
        await refresh_tops(tx, org, row["touched"])
    await emit_many(tx, org, merge_events(sub, email, row["follows"], row["connections"]))


def merge_events(sub: str, email: str, follows: list[dict], connections: list[dict]) -> list[dict]:
    """The events for the edges a sign-in fold removed, as a block writes them (with a
    `reason`), so that the feed keeps agreeing with the graph. Follow events name both
    ends as the placeholder's own events did (its email); a removed connection names the
    member as actor and says which connection `kept` its place."""
    out = []
    for f in follows:
        to = f["to"]
        following = {"type": f["type"], "id": to["id"], "email": to["email"]}
        out.append(event("follow.deleted", party_name(f["from"]), party_name(to),
                         {"reason": "merge", "mergedInto": sub, "following": following, "status": f["status"]}))
    for c in connections:
        sides = (c["requester"], c["target"])
        other = next((s for s in sides if s["id"] != sub and s["email"] != email), {"id": sub, "email": email})
        out.append(event("connection.removed", sub, party_name(other),
                         {"reason": "merge", "mergedInto": sub, "connection": record(c), "kept": c["kept"]}))
    return out


async def _is_claimed(tx: Tx, org: str, sub: str, email: str) -> bool:
    row = await one(tx, S.identity.is_claimed, org=org, sub=sub, email=email)
    return bool(row and row["claimed"])


async def sign_in(db: Database, principal: Principal) -> None:
    """A step of every request: a member token carrying an email claims the person that
    email named before the member ever signed in."""
    if principal.email and principal.role == "customer":
        await claim(db, principal)


async def claim(db: Database, principal: Principal) -> None:
    """Make sure the token's `sub` and `email` name one person (a read when they do)."""
    org, sub, email = principal.org, principal.sub, principal.email
    if await db.query(_is_claimed, org, sub, email):
        return
    for _ in range(3):
        try:
            await db.write(_claim, org, sub, email)
            return
        except ConstraintError:
            # Another request claimed or created the same person first; look again.
            if await db.query(_is_claimed, org, sub, email):
                return
