"""Text that is not valid Unicode, numbers JSON cannot carry, malformed emails, and what
a keep-alive connection sees after an error (issue 19, items 2 and 7).

Every string that reaches the database or a JSON answer must be valid Unicode: a lone
UTF-16 surrogate (`\\udc80` written as a JSON escape), invalid UTF-8 bytes, or a
percent-encoded surrogate in a query string or path is refused with a 4xx before any
write, and never leaves behind data that makes later reads fail. httpx cannot encode a
lone surrogate, so these bodies are sent as raw JSON text.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from urllib.parse import quote, urlsplit

import httpx
import pytest

from .conftest import ROOT, Caller, Org, assert_error

REQUEST = "/client/community/connections/request"
JSON_HEADERS = {"content-type": "application/json"}


def send_raw(caller: Caller, method: str, path: str, body: bytes | str | None = None,
             fresh: bool = True) -> httpx.Response:
    """Send `body` byte for byte as a JSON request body. On a connection of its own unless
    `fresh` is False, so that what an error does to a keep-alive connection shows only in
    the keep-alive tests below, not in whichever request comes next."""
    content = body.encode() if isinstance(body, str) else body
    headers = {**caller.headers, **(JSON_HEADERS if content is not None else {})}
    if not fresh:
        return caller.http.request(method, path, content=content, headers=headers)
    with httpx.Client(base_url=caller.http.base_url, timeout=30) as client:
        return client.request(method, path, content=content, headers=headers)


def assert_refused(resp: httpx.Response) -> None:
    """A 4xx in the error shape: never a 5xx, never served."""
    assert 400 <= resp.status_code < 500, (resp.status_code, resp.text[:500])
    body = resp.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]), body


def assert_org_untouched(org: Org, driver) -> None:
    """Nothing of the org was written, and its event feed still answers."""
    feed = org.staff().get("/community/events")
    assert feed.status_code == 200 and feed.json()["data"] == [], (feed.status_code, feed.text[:500])
    n = driver.execute_query("MATCH (n) WHERE n.org = $org RETURN count(n) AS n", org=org.id).records[0]["n"]
    assert n == 0, f"{n} node(s) written in the org by a refused request"


# --- 2a. the reported case: a lone surrogate in `context` ------------------------------------

def test_lone_surrogate_in_context_is_400_and_the_org_keeps_working(org: Org, driver):
    """The issue's reproduction: a request whose context holds a lone surrogate answered 500,
    was stored anyway, and from then on /sent, /pending and the org's event feed answered 500.
    It must be a 400 that stores nothing, and every listing keeps answering."""
    alice, bob, staff = org.member("usr_alice"), org.member("usr_b"), org.staff()
    sent = send_raw(alice, "POST", REQUEST, r'{"targetId":"usr_b","context":{"note":"v\udc80"}}')
    after = {"sent": alice.get("/client/community/connections/sent"),
             "pending": bob.get("/client/community/connections/pending"),
             "events": staff.get("/community/events")}
    observed = {"request": sent.status_code, **{k: r.status_code for k, r in after.items()}}
    assert observed == {"request": 400, "sent": 200, "pending": 200, "events": 200}, \
        (observed, sent.text[:300], {k: r.text[:300] for k, r in after.items() if r.status_code != 200})
    assert_refused(sent)
    assert after["sent"].json()["data"] == [] and after["pending"].json()["data"] == []
    assert after["events"].json()["data"] == []
    assert_org_untouched(org, driver)


# --- 2b. lone surrogates everywhere text comes in ----------------------------------------------

# (role, method, path, raw JSON body or None); `\udc80` etc. are JSON escapes in the text.
SURROGATE_CASES = {
    "message": ("customer", "POST", REQUEST, r'{"targetId":"usr_b","message":"v\udc80"}'),
    "message high surrogate": ("customer", "POST", REQUEST, r'{"targetId":"usr_b","message":"\ud800"}'),
    "message reversed pair": ("customer", "POST", REQUEST, r'{"targetId":"usr_b","message":"\udc00\ud800"}'),
    "context key": ("customer", "POST", REQUEST, r'{"targetId":"usr_b","context":{"n\udc80te":1}}'),
    "context nested": ("customer", "POST", REQUEST, r'{"targetId":"usr_b","context":{"t":["ok",{"x":"\ud800"}]}}'),
    "targetId": ("customer", "POST", REQUEST, r'{"targetId":"usr_\udc80"}'),
    "targetId email": ("customer", "POST", REQUEST, r'{"targetId":"b\udc80@x.test"}'),
    "follow": ("customer", "POST", "/client/community/follow", r'{"following":"usr_\ud800"}'),
    "follow email": ("customer", "POST", "/client/community/follow", r'{"following":"b\udc80@x.test"}'),
    "block": ("customer", "POST", "/client/community/blocks", r'{"targetId":"usr_\udc80"}'),
    "staff userId in body": ("staff", "POST", "/community/connections/request",
                             r'{"targetId":"usr_b","userId":"usr_\udc80"}'),
    "page name": ("staff", "PUT", "/community/pages/pg_1", r'{"name":"News \udc80"}'),
    "post authorId": ("staff", "PUT", "/community/posts/po_1", r'{"authorId":"usr_\udc80","visibility":"public"}'),
    "post pageId": ("staff", "PUT", "/community/posts/po_1",
                    r'{"authorId":"usr_a","visibility":"public","pageId":"pg_\udc80"}'),
    "visibility postIds": ("staff", "POST", "/community/visibility", r'{"viewerId":"usr_a","postIds":["po_\udc80"]}'),
    "visibility posts": ("staff", "POST", "/community/visibility",
                         r'{"viewerId":"usr_a","posts":[{"id":"p1","authorId":"usr_\udc80","visibility":"public"}]}'),
    "webhook secret": ("staff", "PUT", "/community/webhooks/wh_1",
                       r'{"url":"https://hooks.example.invalid/x","secret":"0123456789abcdef\udc80"}'),
    "webhook url": ("staff", "PUT", "/community/webhooks/wh_1",
                    r'{"url":"https://hooks.example.invalid/\udc80","secret":"0123456789abcdef"}'),
    "analyst param value": ("analyst", "POST", "/analytics/cypher", r'{"query":"RETURN $x AS x","params":{"x":"\udc80"}}'),
    "analyst param name": ("analyst", "POST", "/analytics/cypher", r'{"query":"RETURN 1 AS x","params":{"\udc80":1}}'),
    "analyst param nested": ("analyst", "POST", "/analytics/cypher",
                             r'{"query":"RETURN $x AS x","params":{"x":{"k":["\ud800"]}}}'),
    "analyst query text": ("analyst", "POST", "/analytics/cypher", r'{"query":"RETURN \"\udc80\" AS x"}'),
    # No curated report takes a string parameter (all are int); a surrogate sent as one, or
    # as a parameter's name, is still refused.
    "report param value": ("staff", "POST", "/community/analytics/most_followed_people", r'{"params":{"limit":"\udc80"}}'),
    "report param name": ("staff", "POST", "/community/analytics/most_followed_people", r'{"params":{"\udc80":1}}'),
    # Percent-encoded: ED B2 80 is U+DC80 encoded as if it were a character (invalid UTF-8);
    # FF is never UTF-8.
    "query userId surrogate": ("staff", "GET", "/client/community/connections/sent?userId=%ED%B2%80", None),
    "query userId FF": ("staff", "GET", "/client/community/connections/sent?userId=usr_%FF", None),
    "query userId on a write": ("staff", "POST", "/client/community/follow?userId=%ED%B2%80", '{"following":"usr_b"}'),
    "query type": ("staff", "GET", "/community/events?type=%ED%B2%80", None),
    "query page": ("customer", "GET", "/client/community/followers?page=%ED%B2%80", None),
    "query limit": ("customer", "GET", "/client/community/connections/pending?limit=1%FF", None),
    "path status": ("customer", "GET", "/client/community/connections/status/%ED%B2%80", None),
    "path unfollow": ("customer", "DELETE", "/client/community/follow/usr_%ED%B2%80", None),
    "path respond": ("customer", "PUT", "/client/community/connections/con_%ED%B2%80/respond", '{"action":"accept"}'),
    "path page": ("staff", "PUT", "/community/pages/pg_%ED%B2%80", '{"name":"x"}'),
    "path webhook": ("staff", "PUT", "/community/webhooks/wh_%ED%B2%80",
                     '{"url":"https://hooks.example.invalid/x","secret":"0123456789abcdef"}'),
    "path report": ("staff", "POST", "/community/analytics/x%ED%B2%80", '{"params":{}}'),
    "path degree": ("customer", "GET", "/client/community/degree/usr_%FF", None),
}


def caller_of(org: Org, role: str) -> Caller:
    return {"customer": org.member("usr_alice"), "staff": org.staff(), "analyst": org.analyst()}[role]


@pytest.mark.parametrize("case", list(SURROGATE_CASES))
def test_lone_surrogates_and_invalid_utf8_are_refused_everywhere(org: Org, driver, case: str):
    """Wherever text comes in (body, query string, path, analyst and report parameters), a
    lone surrogate or invalid UTF-8 is a 4xx error, and the org is as it was."""
    role, method, path, body = SURROGATE_CASES[case]
    assert_refused(send_raw(caller_of(org, role), method, path, body))
    assert_org_untouched(org, driver)


# --- 2c. invalid bytes in the body -----------------------------------------------------------

RAW_BODIES = {
    "FF in an id": b'{"targetId":"usr_\xff"}',
    "FF in free text": b'{"targetId":"usr_b","message":"caf\xff"}',
    "raw encoded surrogate": b'{"targetId":"usr_b","message":"v\xed\xb2\x80"}',
    "overlong slash": b'{"targetId":"usr_b","message":"\xc0\xaf"}',
    "truncated sequence": b'{"targetId":"usr_b","message":"\xe2\x82"}',
    "raw NUL in a string": b'{"targetId":"usr_b","message":"a\x00b"}',
    "NUL after the document": b'{"targetId":"usr_b"}\x00',
}


@pytest.mark.parametrize("case", list(RAW_BODIES))
def test_invalid_bytes_in_the_body_are_400(org: Org, driver, case: str):
    """A body that is not UTF-8 JSON text is a 400, whatever field the bad bytes are in."""
    assert_error(send_raw(org.member("usr_alice"), "POST", REQUEST, RAW_BODIES[case]), 400)
    assert_org_untouched(org, driver)


# --- 2d. numbers JSON cannot carry ----------------------------------------------------------

@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", '[1, {"x": NaN}]'])
def test_non_finite_numbers_in_context_are_400(org: Org, driver, value: str):
    """`NaN`, `Infinity` and overflowing numbers are not JSON numbers; stored, they came back
    as null. The request is refused instead, and nothing is stored."""
    body = '{"targetId":"usr_b","context":{"x":%s}}' % value
    assert_error(send_raw(org.member("usr_alice"), "POST", REQUEST, body), 400)
    assert_org_untouched(org, driver)


# --- 2e. what is still accepted, and the codes ------------------------------------------------

def test_valid_text_round_trips_and_the_codes_say_what_was_wrong(org: Org):
    """The rule refuses only what is not Unicode: a surrogate *pair* escape (an emoji), raw
    UTF-8, and a real U+FFFD sent as such are stored and answered exactly; the refusals name
    `invalid_text` (encoding) or `invalid_json` (syntax, non-finite numbers)."""
    alice, staff = org.member("usr_alice"), org.staff()
    sent = send_raw(alice, "POST", REQUEST,
                    '{"targetId":"usr_b","message":"caf\u00e9 \\ud83d\\ude00","context":{"n\\u00f6te":"\\ufffd \\ud83d\\ude00"}}')
    assert sent.status_code == 201, sent.text
    item = alice.get("/client/community/connections/sent").json()["data"][0]
    assert (item["message"], item["context"]) == ("caf\u00e9 \U0001F600", {"n\u00f6te": "\ufffd \U0001F600"})
    # A well-encoded U+FFFD is text like any other: it reaches the event-type check.
    assert_error(staff.get("/community/events?type=%EF%BF%BD"), 400, "validation_error")
    assert_error(send_raw(alice, "POST", REQUEST, r'{"targetId":"usr_b","context":{"x":"\udc80"}}'), 400, "invalid_text")
    assert_error(send_raw(alice, "POST", REQUEST, b'{"targetId":"usr_b","message":"\xff"}'), 400, "invalid_text")
    assert_error(staff.get("/community/events?type=%ED%B2%80"), 400, "invalid_text")
    assert_error(alice.get("/client/community/connections/status/usr_%FF"), 400, "invalid_text")
    assert_error(send_raw(alice, "POST", REQUEST, '{"targetId":"usr_b","context":{"x":NaN}}'), 400, "invalid_json")
    assert_error(send_raw(alice, "POST", REQUEST, '{"targetId":"usr_b","context":{"x":1e999}}'), 400, "invalid_json")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32", "utf-8-sig"])
def test_bodies_are_utf8_only(org: Org, driver, encoding: str):
    """json.loads would guess UTF-16 and UTF-32 (and skip a UTF-8 byte order mark); the
    service takes plain UTF-8 only, as the contract's clients send (README, Decisions)."""
    body = '{"targetId":"usr_b"}'.encode(encoding)
    assert_error(send_raw(org.member("usr_alice"), "POST", REQUEST, body), 400)
    assert_org_untouched(org, driver)


def test_an_error_message_never_echoes_text_it_cannot_render(org: Org):
    """A refused name is quoted in the message with the surrogate escaped, never raw."""
    resp = send_raw(org.analyst(), "POST", "/analytics/cypher", r'{"query":"RETURN 1 AS x","params":{"\udc80":1}}')
    body = assert_error(resp, 400, "invalid_text")
    assert "\\udc80" in body["error"]["message"], body


# --- 7. emails -------------------------------------------------------------------------------

BAD_EMAILS = [".bob@x.test", "bob.@x.test", "bob..smith@x.test", "a" * 65 + "@x.test"]


@pytest.mark.parametrize("email", BAD_EMAILS, ids=["leading-dot", "trailing-dot", "double-dot", "local-65"])
def test_malformed_emails_are_invalid_email(org: Org, driver, email: str):
    """Addresses no mail system accepts name nobody: 400 invalid_email as a follow target and
    as a connection target, and nothing is created for them."""
    alice = org.member("usr_alice")
    assert_error(alice.post("/client/community/follow", {"following": email}), 400, "invalid_email")
    assert_error(alice.post(REQUEST, {"targetId": email}), 400, "invalid_email")
    assert_org_untouched(org, driver)


def test_an_ordinary_email_with_dots_and_a_tag_still_works(org: Org):
    alice = org.member("usr_alice")
    assert alice.post("/client/community/follow", {"following": "bob.smith+tag@x.test"}).status_code == 201
    assert alice.post(REQUEST, {"targetId": "bob.smith+tag@x.test"}).status_code == 201


def test_degree_to_ones_own_email_is_self_degree(org: Org):
    """Asking the degree of separation to oneself is 400 self_degree, by id or by email
    (in any letter case), not 200 {degree: null}."""
    alice = org.member("usr_alice", "alice@x.test")
    for me in ("usr_alice", "alice@x.test", "Alice@X.test"):
        assert_error(alice.get(f"/client/community/degree/{me}"), 400, "self_degree")


# --- 2. keep-alive after an error --------------------------------------------------------------

# Requests a member may send that are answered with an error, today's 5xx included.
BAD_THEN_GOOD = [
    ("POST", REQUEST, r'{"targetId":"usr_b","context":{"note":"v\udc80"}}'),
    ("POST", REQUEST, r'{"targetId":"usr_b","message":"\ud800"}'),
    ("POST", REQUEST, b'{"targetId":"usr_\xff"}'),
    ("POST", "/client/community/follow", '{"following": '),
    ("POST", "/client/community/follow", '{"following": "usr_alice"}'),
    ("POST", "/client/community/follow", '{"following": "usr_b", "pad": "' + "x" * 1_100_000 + '"}'),
    ("DELETE", "/client/community/follow/usr_nobody", None),
    ("GET", "/client/community/nowhere", None),
]


def test_the_next_request_on_a_keep_alive_connection_is_answered(server, org: Org):
    """After any error answer (4xx or 5xx) on a keep-alive connection, the client's next
    request on it is answered: the server does not close it under the client unannounced."""
    alice, dropped = org.member("usr_alice"), []
    with httpx.Client(base_url=server.url, timeout=10) as client:
        me = Caller(client, org.id, alice.sub)
        for method, path, body in BAD_THEN_GOOD:
            bad = send_raw(me, method, path, body, fresh=False)
            assert bad.status_code >= 400, (path, bad.status_code)
            try:
                good = me.get("/client/community/follow/stats")
                assert good.status_code == 200, good.text
            except httpx.HTTPError as exc:
                dropped.append(f"after {bad.status_code} to {method} {path} {body!r}: {exc.__class__.__name__}: {exc}")
    assert dropped == [], "the next request on the connection got no answer:\n" + "\n".join(dropped)


def _read_response(sock: socket.socket) -> tuple[int, dict, bytes] | None:
    """One HTTP/1.1 response with a Content-Length body, or None if the server closed first."""
    def recv() -> bytes:
        try:
            return sock.recv(65536)
        except ConnectionResetError:
            return b""

    data = b""
    while b"\r\n\r\n" not in data:
        chunk = recv()
        if not chunk:
            return None
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", 0))
    while len(rest) < length:
        chunk = recv()
        if not chunk:
            return None
        rest += chunk
    return int(lines[0].split()[1]), headers, rest[:length]


def test_an_error_answer_does_not_silently_close_the_connection(server, org: Org):
    """The same, on one socket: an error answer either says `Connection: close`, or the
    connection stays open and the next request on it is answered."""
    alice = org.member("usr_alice")
    host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
    auth = f"orgid: {org.id}\r\nAuthorization: Bearer {alice.token}\r\n"
    good = f"GET /client/community/follow/stats HTTP/1.1\r\nHost: {host}\r\n{auth}\r\n".encode()
    dropped = []
    for method, path, body in BAD_THEN_GOOD:
        content = (body.encode() if isinstance(body, str) else body) or b""
        bad = (f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n{auth}Content-Type: application/json\r\n"
               f"Content-Length: {len(content)}\r\n\r\n").encode() + content
        with socket.create_connection((host, port), timeout=10) as sock:
            sock.sendall(bad)
            first = _read_response(sock)
            if first is None:
                dropped.append(f"{method} {path} {body!r} itself")
                continue
            status, headers, _ = first
            if headers.get("connection", "").lower() == "close":
                continue  # announced: the client knows to open a new connection
            try:
                sock.sendall(good)
                second = _read_response(sock)
            except OSError:
                second = None
            if second is None:
                dropped.append(f"the next one, after {status} to {method} {path} {body!r}")
            else:
                assert second[0] == 200, second
    assert dropped == [], ("the connection was closed without `Connection: close` and without answering "
                           "the request:\n" + "\n".join(dropped))


def test_a_500_is_answered_and_the_connection_stays_usable(server, org: Org, driver):
    """A genuine 500 (here a stored `context` that is not JSON, as a hand edit or an old bug
    leaves behind) is answered in the error shape, and the client's next request on the
    same keep-alive connection is answered too, unless the 500 said `Connection: close`."""
    alice = org.member("usr_alice")
    made = alice.post(REQUEST, {"targetId": "usr_b", "context": {"a": 1}})
    assert made.status_code == 201, made.text
    driver.execute_query("MATCH ()-[c:CONNECTED {id: $id}]->() SET c.context = '{not json'", id=made.json()["id"])
    host, port = urlsplit(server.url).hostname, urlsplit(server.url).port
    auth = f"orgid: {org.id}\r\nAuthorization: Bearer {alice.token}\r\n"
    broken = f"GET /client/community/connections/sent HTTP/1.1\r\nHost: {host}\r\n{auth}\r\n".encode()
    good = f"GET /client/community/follow/stats HTTP/1.1\r\nHost: {host}\r\n{auth}\r\n".encode()
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(broken)
        first = _read_response(sock)
        assert first is not None, "the 500 itself was never sent"
        status, headers, body = first
        assert status == 500 and b'"code":"internal"' in body, (status, body)
        if headers.get("connection", "").lower() == "close":
            return  # announced: the client knows to open a new connection
        sock.sendall(good)
        second = _read_response(sock)
        assert second is not None, "the connection was closed after the 500 without `Connection: close`"
        assert second[0] == 200, second


# --- 2f. text stored before the edge refused it ------------------------------------------------

def _graphsvc_check(target, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NEO4J_URI": target.uri, "NEO4J_USER": target.user, "NEO4J_PASSWORD": target.password}
    return subprocess.run([sys.executable, "-m", "graphsvc", "check", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)


def test_stored_bad_text_is_found_and_repaired(org: Org, driver, neo4j_target):
    """What a version before the fix stored for `context: {"note": "v\\udc80", "n": NaN}`:
    json.dumps wrote the surrogate as an escape and NaN as a bare word, in the connection's
    context and in its event's payload. The listings still answer (U+FFFD, null);
    `graphsvc check` finds both records, `--repair` rewrites them, and afterwards the
    check passes, the stored text is valid, and the answers are unchanged."""
    alice, bob, staff = org.member("usr_alice"), org.member("usr_b"), org.staff()
    made = alice.post(REQUEST, {"targetId": "usr_b", "context": {"note": "ok"}})
    assert made.status_code == 201, made.text
    cid, legacy = made.json()["id"], {"note": "v\udc80", "n": float("nan")}
    driver.execute_query("MATCH ()-[c:CONNECTED {id: $id}]->() SET c.context = $text",
                         id=cid, text=json.dumps(legacy, separators=(",", ":")))
    event = driver.execute_query("MATCH (e:Event {org: $org}) WHERE e.type = 'connection.requested' "
                                 "RETURN e.seq AS seq, e.payload AS payload", org=org.id).records[0]
    payload = json.loads(event["payload"])
    payload["connection"]["context"] = legacy
    driver.execute_query("MATCH (e:Event {org: $org, seq: $seq}) SET e.payload = $text",
                         org=org.id, seq=event["seq"], text=json.dumps(payload, separators=(",", ":")))

    def answers() -> list:
        got = [alice.get("/client/community/connections/sent"), bob.get("/client/community/connections/pending"),
               staff.get("/community/events")]
        assert [r.status_code for r in got] == [200, 200, 200], [r.text[:300] for r in got]
        sent, pending, events = (r.json()["data"] for r in got)
        assert sent[0]["context"] == pending[0]["context"] == {"note": "v\ufffd", "n": None}
        assert events[0]["payload"]["connection"]["context"] == {"note": "v\ufffd", "n": None}
        return [sent, pending, events]

    before = answers()
    found = _graphsvc_check(neo4j_target, "--org", org.id)
    assert found.returncode == 1, found.stdout + found.stderr
    assert f"connection {cid}: context.note" in found.stdout and f"event #{event['seq']}: payload" in found.stdout, \
        found.stdout

    fixed = _graphsvc_check(neo4j_target, "--org", org.id, "--repair")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "1 connection context(s), 1 event payload(s)" in fixed.stdout, fixed.stdout
    again = _graphsvc_check(neo4j_target, "--org", org.id)
    assert again.returncode == 0, again.stdout + again.stderr

    stored = driver.execute_query("MATCH ()-[c:CONNECTED {id: $id}]->() RETURN c.context AS text", id=cid).records[0]
    assert json.loads(stored["text"]) == {"note": "v\ufffd", "n": None}
    assert answers() == before


# --- 2g. every operation, with Unicode edge cases -----------------------------------------------

# Spliced into the JSON text of a generated body's strings (keys and values), and into its
# path and query parameters percent-encoded: lone surrogates, NUL, an overlong `/`, a
# truncated sequence, a byte that is never UTF-8.
BODY_EDGES = {"lone low": rb"\udc80", "lone high": rb"\ud800", "reversed pair": rb"\udc00\ud800",
              "escaped NUL": rb"\u0000", "raw NUL": b"\x00", "overlong": b"\xc0\xaf", "truncated": b"\xe2\x82",
              "FF": b"\xff", "encoded surrogate": b"\xed\xb2\x80"}
ONE_AT_A_TIME = ("lone low", "reversed pair", "FF")
URL_EDGES = {"encoded surrogate": "%ED%B2%80", "overlong": "%C0%AF", "FF": "%FF", "NUL": "%00", "truncated": "%E2%82"}
EXAMPLES = 3  # generated requests per operation, each sent once per edge case
MARK = "\ue000"  # a private-use character marks where an edge goes; json.dumps escapes it as \ue000
LEAVES = 6  # strings of one body marked one at a time


def _benign(value, n: list | None = None):
    """The generated value with each string value replaced by a valid id of its own
    (`usr_fuzz_1`, `usr_fuzz_2`, ...), so that the request gets past the id checks to where
    its other strings are used; keys and lower-case words (enum values such as `accept` or
    `person`) are kept."""
    n = [0] if n is None else n
    if isinstance(value, str):
        if re.fullmatch("[a-z_]+", value):
            return value
        n[0] += 1
        return f"usr_fuzz_{n[0]}"
    if isinstance(value, dict):
        return {k: _benign(v, n) for k, v in value.items()}
    if isinstance(value, list):
        return [_benign(v, n) for v in value]
    return value


def _marked(value, only: int | None = None, seen: list | None = None):
    """`value` with MARK after every string (keys included), or after the `only`-th one."""
    seen = [0] if seen is None else seen

    def mark(text: str) -> str:
        seen[0] += 1
        return text + MARK if only is None or seen[0] - 1 == only else text

    if isinstance(value, str):
        return mark(value)
    if isinstance(value, dict):
        return {mark(k): _marked(v, only, seen) for k, v in value.items()}
    if isinstance(value, list):
        return [_marked(v, only, seen) for v in value]
    return value


def _bodies(generated) -> list[tuple[str, bytes]]:
    """(case name, body bytes) for one generated JSON body: every string marked with each
    edge, then each of its first strings alone in an otherwise valid body."""
    if not isinstance(generated, (dict, list)):
        return []
    every = json.dumps(_marked(generated)).encode()
    out = [(name, every.replace(b"\\ue000", edge)) for name, edge in BODY_EDGES.items()]
    base = _benign(generated)
    for i in range(LEAVES):
        one = json.dumps(_marked(base, only=i)).encode()
        if b"\\ue000" not in one:
            break
        out += [(f"{name} in string #{i}", one.replace(b"\\ue000", BODY_EDGES[name])) for name in ONE_AT_A_TIME]
    return out


def _fuzz(operation, headers: dict, send) -> None:
    """EXAMPLES generated requests for one operation, each sent with every edge case."""
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis import GenerationMode

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    def exercise(case) -> None:
        path_params = {k: str(v) for k, v in (case.path_parameters or {}).items()}
        query = {k: str(v) for k, v in (case.query or {}).items() if not isinstance(v, list)}
        path = operation.path
        for k, v in path_params.items():
            path = path.replace("{" + k + "}", quote(v, safe=""))
        plain_query = "&".join(f"{quote(k)}={quote(v)}" for k, v in query.items())
        for name, content in _bodies(case.body):
            send(operation, headers, name, path, plain_query, content)
        body = json.dumps(case.body).encode() if isinstance(case.body, (dict, list)) else None
        for name, edge in URL_EDGES.items():
            if path_params:
                edged = operation.path
                for k, v in path_params.items():
                    edged = edged.replace("{" + k + "}", quote(v, safe="") + edge)
                send(operation, headers, f"path {name}", edged, plain_query, body)
            if query:
                edged_query = "&".join(f"{quote(k)}={quote(v)}{edge}" for k, v in query.items())
                send(operation, headers, f"query {name}", path, edged_query, body)

    exercise()


def test_no_operation_answers_5xx_to_unicode_edge_cases(server, http):
    """Every operation /openapi.json lists, with schema-valid generated requests whose
    strings (body keys and values, path and query parameters) then carry each edge case:
    never a 5xx, and every refusal in the error shape."""
    from .test_hostile import _token_for, schema_with_valid_auth

    org = Org(http).id
    operations = [result.ok() for result in schema_with_valid_auth(http).get_all_operations()]
    out_of_shape, tried = [], 0
    with httpx.Client(base_url=server.url, timeout=60) as client:
        def send(operation, headers: dict, name: str, path: str, query: str, content: bytes | None) -> None:
            nonlocal tried
            tried += 1
            resp = client.request(operation.method.upper(), path + (f"?{query}" if query else ""), content=content,
                                  headers={**headers, **({"content-type": "application/json"} if content else {})})
            if resp.status_code >= 500 or (resp.status_code >= 400 and "error" not in resp.json()):
                out_of_shape.append(f"{operation.label} [{name}]: {resp.status_code} {resp.text[:200]}")

        for operation in operations:
            _fuzz(operation, {"orgid": org, "Authorization": f"Bearer {_token_for(operation, org)}"}, send)
    print(f"\n[unicode fuzz] operations={len(operations)} requests={tried}")
    assert len(operations) >= 20 and tried >= 5 * len(operations), (len(operations), tried)
    assert not out_of_shape, f"{len(out_of_shape)} answer(s) out of shape:\n" + "\n".join(out_of_shape[:40])
