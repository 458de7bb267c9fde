"""Who is calling, for which org, and as whom.

Tokens are verified with exactly one algorithm family (HS256 with the shared
secret, or RS256 with the configured public key), never the one the token names,
so `alg: none` and HS/RS confusion cannot pass. `sub`, `org` and `exp` are
required; the `orgid` header must equal `org`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import jwt

from .config import Settings
from .errors import BadRequest, Forbidden, Unauthorized

ROLES = ("customer", "staff", "service", "analyst")
ID_RE = re.compile(r"[A-Za-z0-9_\-.:]{1,128}")
EMAIL_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")


@dataclass(frozen=True)
class Principal:
    sub: str
    org: str
    role: str
    email: str | None = None


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
        raise BadRequest(f"{what} must be 1-128 letters, digits or _ - . :", code="invalid_id")
    return value


def person_ref(value: str, what: str = "userId") -> PersonRef:
    """Parse a user id or an email address; anything else is a 400."""
    if isinstance(value, str) and "@" in value:
        if len(value) > 254 or not EMAIL_RE.fullmatch(value):
            raise BadRequest(f"{what} is not a valid email address", code="invalid_email")
        return PersonRef(email=value.lower())
    return PersonRef(id=valid_id(value, what))


def authenticate(headers: dict, settings: Settings) -> Principal:
    header = headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("missing bearer token")
    try:
        claims = jwt.decode(
            token.strip(),
            settings.jwt_key,
            algorithms=settings.jwt_algorithms,
            options={"require": ["sub", "org", "exp"]},
            leeway=5,
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("token expired", code="token_expired") from None
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"invalid token: {exc}", code="invalid_token") from None
    sub, org, role = claims.get("sub"), claims.get("org"), claims.get("role", "customer")
    if not isinstance(sub, str) or not ID_RE.fullmatch(sub):
        raise Unauthorized("token subject is not a valid user id", code="invalid_token")
    if not isinstance(org, str) or not ID_RE.fullmatch(org):
        raise Unauthorized("token org is not a valid org id", code="invalid_token")
    if role not in ROLES:
        raise Unauthorized(f"unknown role {role!r}", code="invalid_token")
    email = claims.get("email")
    if email is not None:
        if not isinstance(email, str) or len(email) > 254 or not EMAIL_RE.fullmatch(email):
            raise Unauthorized("token email is not a valid address", code="invalid_token")
        email = email.lower()
    orgid = headers.get("orgid")
    if not orgid:
        raise BadRequest("the orgid header is required", code="missing_org")
    if orgid != org:
        raise Forbidden("token belongs to another org", code="org_mismatch")
    return Principal(sub=sub, org=org, role=role, email=email)


def require_role(principal: Principal, *roles: str) -> None:
    if principal.role not in roles:
        raise Forbidden(f"role {principal.role!r} may not do this; needs one of {', '.join(roles)}")


def is_self(principal: Principal, user_id: str) -> bool:
    """Whether `user_id` names the token's own user (emails compare case-insensitively)."""
    return user_id == principal.sub or ("@" in user_id and user_id.lower() == principal.email)


def acting_person(principal: Principal, user_id: str | None) -> PersonRef:
    """The member a call acts as (CONTRACT.md, Common rules: Acting user)."""
    if principal.role == "customer":
        if user_id is not None and not is_self(principal, user_id):
            raise Forbidden("a member token acts only as itself", code="acting_user_forbidden")
        return PersonRef(id=principal.sub)
    if principal.role in ("staff", "service"):
        if user_id:
            return person_ref(user_id, "userId")
        if principal.role == "service":
            raise BadRequest("a service token must name the member it acts for in userId", code="user_required")
        return PersonRef(id=principal.sub)
    raise Forbidden(f"role {principal.role!r} cannot act as a member")


def mint(secret: str, sub: str, org: str, role: str = "customer", email: str | None = None,
         ttl: int = 3600, algorithm: str = "HS256") -> str:
    """A token for development and tests."""
    import time

    claims = {"sub": sub, "org": org, "role": role, "exp": int(time.time()) + ttl}
    if email:
        claims["email"] = email
    return jwt.encode(claims, secret, algorithm=algorithm)
