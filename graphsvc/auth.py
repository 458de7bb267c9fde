"""Who is calling, for which org, and as whom.

Tokens are verified with exactly one algorithm family (HS256 with the shared
secret, or RS256 with the configured public key), never the one the token names,
so `alg: none` and HS/RS confusion cannot pass. `sub`, `org` and `exp` are
required; the `orgid` header must equal `org`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt

from .config import Settings
from .errors import (
    ACTING_USER_FORBIDDEN,
    FORBIDDEN,
    INVALID_TOKEN,
    MISSING_ORG,
    ORG_MISMATCH,
    TOKEN_EXPIRED,
    UNAUTHORIZED,
    USER_REQUIRED,
)
from .people import EMAIL_RE, ID_RE, PersonRef, person_ref

ROLES = ("customer", "staff", "service", "analyst")


@dataclass(frozen=True)
class Principal:
    sub: str
    org: str
    role: str
    email: str | None = None


LEEWAY = 5  # seconds of clock skew allowed on `exp`

# Verifying a signature is a large share of the HTTP layer's own CPU per request, and a
# feed service sends the same token thousands of times a second. A token that verified once stays valid until it expires: its signature and
# claims cannot change, and the key is part of the cache key. So the principal of a
# verified token is kept (bounded, oldest out first) and `exp` is checked on every use.
_VERIFIED: dict[tuple[str, str], tuple[Principal, int]] = {}
_VERIFIED_MAX = 10_000


def authenticate(headers: dict, settings: Settings) -> Principal:
    header = headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise UNAUTHORIZED()
    cache_key = (settings.jwt_key, token)
    hit = _VERIFIED.get(cache_key)
    if hit is not None and hit[1] > time.time() - LEEWAY:
        principal = hit[0]
    else:
        _VERIFIED.pop(cache_key, None)
        principal, exp = _verify(token, settings)
        if len(_VERIFIED) >= _VERIFIED_MAX:
            del _VERIFIED[next(iter(_VERIFIED))]
        _VERIFIED[cache_key] = (principal, exp)
    orgid = headers.get("orgid")
    if not orgid:
        raise MISSING_ORG()
    if orgid != principal.org:
        raise ORG_MISMATCH()
    return principal


def _verify(token: str, settings: Settings) -> tuple[Principal, int]:
    """The principal a token names and its `exp`, or 401."""
    try:
        claims = jwt.decode(
            token,
            settings.jwt_key,
            algorithms=settings.jwt_algorithms,
            options={"require": ["sub", "org", "exp"]},
            leeway=LEEWAY,
        )
    except jwt.ExpiredSignatureError:
        raise TOKEN_EXPIRED() from None
    except jwt.PyJWTError as exc:
        raise INVALID_TOKEN(f"invalid token: {exc}") from None
    sub, org, role = claims.get("sub"), claims.get("org"), claims.get("role", "customer")
    if not isinstance(sub, str) or not ID_RE.fullmatch(sub):
        raise INVALID_TOKEN("token subject is not a valid user id")
    if not isinstance(org, str) or not ID_RE.fullmatch(org):
        raise INVALID_TOKEN("token org is not a valid org id")
    if role not in ROLES:
        raise INVALID_TOKEN(f"unknown role {role!r}")
    email = claims.get("email")
    if email is not None:
        if not isinstance(email, str) or len(email) > 254 or not EMAIL_RE.fullmatch(email):
            raise INVALID_TOKEN("token email is not a valid address")
        email = email.lower()
    # decode() has checked that exp is an integer in the future.
    return Principal(sub=sub, org=org, role=role, email=email), int(claims["exp"])


def require_role(principal: Principal, *roles: str) -> None:
    if principal.role not in roles:
        raise FORBIDDEN(f"role {principal.role!r} may not do this; needs one of {', '.join(roles)}")


def is_self(principal: Principal, user_id: str) -> bool:
    """Whether `user_id` names the token's own user (emails compare case-insensitively)."""
    return user_id == principal.sub or ("@" in user_id and user_id.lower() == principal.email)


def acting_person(principal: Principal, user_id: str | None) -> PersonRef:
    """The member a call acts as (CONTRACT.md, Common rules: Acting user)."""
    if principal.role == "customer":
        if user_id is not None and not is_self(principal, user_id):
            raise ACTING_USER_FORBIDDEN()
        return PersonRef(id=principal.sub)
    if principal.role in ("staff", "service"):
        if user_id:
            return person_ref(user_id, "userId")
        if principal.role == "service":
            raise USER_REQUIRED()
        return PersonRef(id=principal.sub)
    raise FORBIDDEN(f"role {principal.role!r} cannot act as a member")


def mint(secret: str, sub: str, org: str, role: str = "customer", email: str | None = None,
         ttl: int = 3600, algorithm: str = "HS256") -> str:
    """A token for development and tests."""
    claims = {"sub": sub, "org": org, "role": role, "exp": int(time.time()) + ttl}
    if email:
        claims["email"] = email
    return jwt.encode(claims, secret, algorithm=algorithm)
