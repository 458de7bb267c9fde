"""People as callers name them: a user id or an email address, checked before any database work.

Ids are 1-128 letters, digits and `_ - . :`; an email is a valid address of at most 254
characters and is compared lower-cased (CONTRACT.md, Common rules: Identifiers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import INVALID_EMAIL, INVALID_ID

ID_RE = re.compile(r"[A-Za-z0-9_\-.:]{1,128}")
# RFC 5321/5322 as mail systems accept them: the local part a dot-atom (no leading,
# trailing or doubled dot) of at most 64 characters, then host-name labels.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_RE = re.compile(rf"(?=[^@]{{1,64}}@){_ATEXT}+(?:\.{_ATEXT}+)*@{_LABEL}(?:\.{_LABEL})+")


@dataclass(frozen=True)
class PersonRef:
    """A person named by user id or by email (stored lower-cased)."""

    id: str | None = None
    email: str | None = None

    def params(self) -> dict:
        return {"id": self.id, "email": self.email}

    def __str__(self) -> str:
        return self.id or self.email or ""


def valid_id(value: str, what: str = "id") -> str:
    if not isinstance(value, str) or not ID_RE.fullmatch(value):
        raise INVALID_ID(f"{what} must be 1-128 letters, digits or _ - . :")
    return value


def valid_ids(values: list[str], what: str) -> list[str]:
    """valid_id for every item of a list of strings: one C-level pass when all are valid
    (a batch of 1,000 post ids is the hot case), else the first bad one is the 400."""
    if not all(map(ID_RE.fullmatch, values)):
        for value in values:
            valid_id(value, what)
    return values


def person_ref(value: str, what: str = "userId") -> PersonRef:
    """Parse a user id or an email address; anything else is a 400."""
    if isinstance(value, str) and "@" in value:
        if len(value) > 254 or not EMAIL_RE.fullmatch(value):
            raise INVALID_EMAIL(f"{what} is not a valid email address")
        return PersonRef(email=value.lower())
    return PersonRef(id=valid_id(value, what))
