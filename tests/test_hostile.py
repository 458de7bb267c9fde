"""Hostile input: schemathesis against the service's own /openapi.json, oversized bodies,
absurd paging, odd characters in ids, JWT attacks not covered in test_follows.py, the
per-member caps, and a static proof that no user string ever becomes Cypher text.
"""

from __future__ import annotations

import os
import re
from collections import Counter

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from graphsvc.auth import mint

from .conftest import ROOT, SECRET, Org, Server, assert_error

# Examples per operation; every operation /openapi.json lists at run time is exercised.
EXAMPLES = int(os.environ.get("GRAPHSVC_SCHEMATHESIS_EXAMPLES", "6"))
ROLES_RE = re.compile(r"Roles: ([a-z, ]+)\.")


def _token_for(operation, org: str) -> str:
    """A valid token of the most capable role the operation admits (parsed from its
    documented "Roles:" line), so generated input reaches the handler, not just auth."""
    described = operation.definition.raw.get("description", "")
    found = ROLES_RE.search(described)
    roles = [r.strip() for r in found.group(1).split(",")] if found else ["customer"]
    role = next((r for r in ("staff", "service", "analyst", "customer") if r in roles), roles[0])
    return mint(SECRET, "usr_fuzz" if role == "customer" else f"{role}_fuzz", org, role)


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Input that breaks the schema: no 5xx, and whatever comes back is documented. Not
# `negative_data_rejection`: it counts a repeated query parameter as invalid, and the
# service reads the last one (events' `type` is repeatable on purpose) -- reported.
NEGATIVE_CHECKS = CHECKS


def _exercise(url: str, operation, mode, checks, headers: dict, tried: Counter, statuses: Counter) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def exercise(case) -> None:
        tried[(operation.label, mode.value)] += 1
        if case.headers:
            case.headers.update(headers)
        resp = case.call(base_url=url, headers=headers, timeout=60)
        statuses[resp.status_code] += 1
        case.validate_response(resp, checks=checks, headers=headers)

    exercise()


def schema_with_valid_auth(http):
    """The running service's /openapi.json for schemathesis, without the orgid header and
    the bearer token: the tests supply valid ones (mutating them would only test auth,
    which has its own tests)."""
    doc = http.get("/openapi.json").json()
    for ops in doc["paths"].values():
        for op in ops.values():
            op["parameters"] = [p for p in op.get("parameters", []) if p.get("in") != "header"]
            op.pop("security", None)
    return schemathesis.openapi.from_dict(doc)


def test_every_operation_conforms(server, http):
    """Every operation the running service lists in /openapi.json, with generated paths,
    queries and bodies: no 5xx, and every answer (errors included) has a documented
    status, content type and body shape. orgid and the token are always valid ones, so
    the input reaches the handlers (auth failures have their own tests). Nothing is
    excluded: an operation schemathesis cannot generate for fails the test."""
    org = Org(http).id
    schema = schema_with_valid_auth(http)
    tried: Counter = Counter()
    statuses: Counter = Counter()
    failures: list[str] = []
    no_negative: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20, [op.label for op in operations]
    for operation in operations:
        headers = {"orgid": org, "Authorization": f"Bearer {_token_for(operation, org)}"}
        for mode, checks in ((GenerationMode.POSITIVE, CHECKS), (GenerationMode.NEGATIVE, NEGATIVE_CHECKS)):
            try:
                _exercise(server.url, operation, mode, checks, headers, tried, statuses)
            except Unsatisfiable:
                # Negative mode only: nothing in the operation can be made invalid (no
                # parameters, or a bare string path parameter). Counted, not hidden.
                assert mode is GenerationMode.NEGATIVE, operation.label
                no_negative.append(operation.label)
            except (Exception, BaseExceptionGroup) as exc:  # collect every failure, report them all
                failures.append(f"{operation.label} ({mode.value}): {str(exc)[:1500]}")
    print(f"\n[schemathesis] operations={len(operations)} examples={sum(tried.values())} "
          f"max_per_operation_and_mode={EXAMPLES} statuses={dict(sorted(statuses.items()))} "
          f"no_invalid_input_possible={no_negative}")
    assert not failures, f"{len(failures)} operation(s) failed:\n" + "\n\n".join(failures)


# --- body caps, paging, odd ids ---------------------------------------------------------

def test_body_over_the_cap_is_413(org):
    alice = org.member("usr_alice")
    big = b'{"following": "usr_bob", "pad": "' + b"x" * 1_100_000 + b'"}'
    assert_error(alice.post("/client/community/follow", content=big,
                            headers={"content-type": "application/json"}), 413, "payload_too_large")

    def chunks():  # no Content-Length: the cap must hold while streaming too
        yield b'{"following": "usr_bob", "pad": "'
        for _ in range(40):
            yield b"y" * 32_768
        yield b'"}'

    assert_error(alice.post("/client/community/follow", content=chunks(),
                            headers={"content-type": "application/json"}), 413, "payload_too_large")
    assert alice.get("/client/community/follow/stats").json()["following"] == 0


@pytest.mark.parametrize("params", [
    {"limit": 10**12}, {"limit": -1}, {"limit": "NaN"}, {"limit": "1e3"}, {"page": 0}, {"page": -5},
    {"page": 10**30}, {"page": "∞"}, {"page": "1\x00"}, {"limit": " " * 5000},
])
def test_absurd_paging_is_400(org, params):
    for path in ("/client/community/followers", "/client/community/connections",
                 "/client/community/connections/pending"):
        assert_error(org.member("usr_alice").get(path, params=params), 400, "validation_error")


ODD_IDS = ["usr\x00bob", "ユーザー", "usr_😀", "a" * 129, "x" * 20_000, "usr bob", "../../etc", "usr'bob\"}) RETURN 1//",
           "a@b", "@", "x@" + "y" * 260 + ".io", "\u202eusr", "usr\nbob"]


@pytest.mark.parametrize("odd", ODD_IDS, ids=range(len(ODD_IDS)))
def test_odd_ids_are_refused_cleanly(org, odd):
    alice = org.member("usr_alice")
    for resp in (alice.post("/client/community/follow", {"following": odd}),
                 alice.post("/client/community/connections/request", {"targetId": odd}),
                 alice.delete("/client/community/follow/" + _quote(odd)),
                 alice.get("/client/community/connections/status/" + _quote(odd)),
                 org.staff().get("/community/pages/" + _quote(odd))):
        # Refused (4xx, in the error shape) or, for a path ending in '/', redirected by the
        # router to the path without it (307); never served, never a 5xx.
        assert resp.status_code == 307 or 400 <= resp.status_code < 500, (odd[:40], resp.status_code, resp.text)
        if resp.status_code != 307:
            assert set(resp.json()) == {"error"}
    assert alice.get("/client/community/follow/stats").json() == {"followers": 0, "following": 0}


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


def test_unicode_and_nul_in_free_text_are_stored_verbatim(org):
    """Free text (a request's message) may hold any Unicode; it comes back byte for byte."""
    alice = org.member("usr_alice")
    message = "héllo \u202e 😀 \x00 ' \" }) RETURN 1 //"
    resp = alice.post("/client/community/connections/request", {"targetId": "usr_bob", "message": message})
    assert resp.status_code == 201, resp.text
    assert resp.json()["message"] == message


# --- JWT attacks (RS256 ones are in test_follows.py) ----------------------------------

def test_token_of_another_org_cannot_touch_this_org(org, other_org):
    """A valid token of org B with B's own header sees nothing of A; with A's header, 403."""
    a = org.member("usr_alice")
    assert a.post("/client/community/follow", {"following": "usr_bob"}).status_code == 201
    b = other_org.member("usr_alice")
    assert_error(b.post("/client/community/follow", {"following": "usr_carol"}, headers={"orgid": org.id}),
                 403, "org_mismatch")
    assert b.get("/client/community/following").json()["data"] == []
    assert a.get("/client/community/follow/stats").json() == {"followers": 0, "following": 1}


# --- per-member caps ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def capped(neo4j_target):
    server = Server(neo4j_target, GRAPHSVC_MAX_FOLLOWS="3", GRAPHSVC_MAX_PENDING_REQUESTS="2")
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client
    server.stop()


def test_follow_cap_is_429_and_changes_nothing(capped):
    org = Org(capped)
    alice, staff = org.member("usr_alice"), org.staff()
    assert staff.put("/community/pages/pg_1", {"name": "P"}).status_code == 201
    for target in ("usr_b", "usr_c", "pg_1"):
        body = {"following": target, "followingType": "page" if target.startswith("pg") else "person"}
        assert alice.post("/client/community/follow", body).status_code == 201
    assert_error(alice.post("/client/community/follow", {"following": "usr_d"}), 429, "follow_limit")
    assert_error(alice.post("/client/community/follow", {"following": "d@example.com"}), 429, "follow_limit")
    # Following again what is already followed is not a new follow: still 200.
    assert alice.post("/client/community/follow", {"following": "usr_b"}).status_code == 200
    assert alice.get("/client/community/follow/stats").json()["following"] == 3
    assert org.member("usr_d").get("/client/community/follow/stats").json()["followers"] == 0
    # Unfollowing makes room again.
    assert alice.delete("/client/community/follow/usr_c").status_code == 204
    assert alice.post("/client/community/follow", {"following": "usr_d"}).status_code == 201


def test_pending_request_cap_is_429_and_changes_nothing(capped):
    org = Org(capped)
    alice = org.member("usr_alice")
    first = alice.post("/client/community/connections/request", {"targetId": "usr_b"})
    assert first.status_code == 201
    assert alice.post("/client/community/connections/request", {"targetId": "usr_c"}).status_code == 201
    assert_error(alice.post("/client/community/connections/request", {"targetId": "usr_d"}), 429, "pending_limit")
    assert alice.get("/client/community/connections/stats").json()["sent"] == 2
    assert org.member("usr_d").get("/client/community/connections/pending").json()["data"] == []
    # Accepting a request someone else sent is never capped: it is not a new pending request.
    assert org.member("usr_e").post("/client/community/connections/request",
                                    {"targetId": "usr_alice"}).status_code == 201
    assert alice.post("/client/community/connections/request", {"targetId": "usr_e"}).status_code == 200
    # An answer frees a slot.
    assert org.member("usr_b").put(f"/client/community/connections/{first.json()['id']}/respond",
                                   {"action": "reject"}).status_code == 200
    assert alice.post("/client/community/connections/request", {"targetId": "usr_d"}).status_code == 201


def test_caps_are_documented(http):
    doc = http.get("/openapi.json").json()
    follow = doc["paths"]["/client/community/follow"]["post"]["responses"]
    request = doc["paths"]["/client/community/connections/request"]["post"]["responses"]
    assert "429" in follow and "429" in request
    text = (ROOT / "docs" / "operations-limits.md").read_text()
    for name in ("GRAPHSVC_MAX_FOLLOWS", "GRAPHSVC_MAX_PENDING_REQUESTS", "GRAPHSVC_MAX_BODY_BYTES",
                 "GRAPHSVC_DB_TIMEOUT", "follow_limit", "pending_limit", "payload_too_large"):
        assert name in text, name
