"""Webhooks as an attacker would use them (issue 19, items 1 and 4): a webhook must not
turn the dispatcher into a port scanner of this machine or its network, however the
address is written, whatever a host name resolves to, and whichever redirect the
receiver answers; a URL with credentials is refused; analysts cannot read signing secrets.

Delivery-time checks run in whichever process claims a delivery: every dispatcher on a
Neo4j claims every org's deliveries. The shared test server sets GRAPHSVC_WEBHOOK_ALLOW_PRIVATE,
which only admits IP literals in private ranges (its receivers listen on 127.0.0.1); host
names are resolved and vetted by every dispatcher whatever that setting says. So the strict
server here shares the session's Neo4j, refuses private literals at registration, and runs no
dispatcher of its own (it would refuse the other tests' loopback receivers): a delivery to a
host name is refused by whichever dispatcher claims it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import socket
import time
import uuid
from ipaddress import ip_address

import httpcore
import httpx
import pytest

from graphsvc.worker import egress

from .conftest import DISPATCH_ENV, Org, Server, assert_error
from .receivers import wait_deliveries

DEADLINE = 30


# --- a strict service: no GRAPHSVC_WEBHOOK_ALLOW_PRIVATE, no dispatcher ------------------------

@pytest.fixture(scope="module")
def strict(neo4j_target, server):
    """An httpx client of a graphsvc server that refuses private webhook destinations. The
    session's `server` is there for its dispatcher (see the module docstring)."""
    env = {**DISPATCH_ENV, "GRAPHSVC_WEBHOOK_ALLOW_PRIVATE": "0", "GRAPHSVC_DISPATCHER": "0"}
    srv = Server(neo4j_target, **env)
    try:
        with httpx.Client(base_url=srv.url, timeout=30) as client:
            yield client
    finally:
        srv.stop()


@pytest.fixture
def strict_org(strict) -> Org:
    return Org(strict)


# --- receivers on loopback --------------------------------------------------------------------

def hook_body(url: str, secret: str = "whsec_0123456789abcdef") -> dict:
    return {"url": url, "secret": secret, "types": []}


def finished(deliveries: list[dict]) -> bool:
    return bool(deliveries) and all(d["state"] in ("delivered", "dead", "cancelled") for d in deliveries)


# --- 1a. loopback and private addresses, however written ------------------------------------

DISGUISED = [
    "http://127.1/", "http://0x7f000001/", "http://2130706433/", "http://017700000001/",
    "http://0177.0.0.1/", "http://127.000.000.001/", "http://0x7f.1/", "http://127.0.1/", "http://0/",
    "http://0xa000001/", "http://167772161/",  # both 10.0.0.1
    "http://[::ffff:127.0.0.1]/", "http://[::1]/", "http://169.254.169.254/", "http://localhost./",
    "http://[::ffff:7f00:1]/", "http://[2002:7f00:1::]/",  # IPv4-mapped and 6to4 loopback
    "http://[fe80::1%25eth0]/", "http://100.64.0.1/", "http://224.0.0.1/", "http://hooks.localhost/",
]


@pytest.mark.parametrize("url", DISGUISED)
def test_private_address_in_any_notation_is_refused(strict_org: Org, url: str):
    """A staff tool registering a webhook at this machine or a private network, written in
    any notation an HTTP client or resolver accepts, gets 400 url_not_allowed and no webhook."""
    staff = strict_org.staff()
    assert_error(staff.put("/community/webhooks/wh_1", hook_body(url)), 400, "url_not_allowed")
    assert_error(staff.get("/community/webhooks/wh_1"), 404, "webhook_not_found")


# --- 1b. a host name that resolves to loopback ---------------------------------------------------

def _own_host_name_resolving_privately() -> str:
    name = socket.gethostname()
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(name, None)}
    except OSError:
        pytest.skip(f"this machine's host name {name!r} does not resolve")
    private = [a for a in addresses if not ip_address(a.split("%")[0]).is_global]
    if not private:
        pytest.skip(f"this machine's host name {name!r} resolves only to public addresses {sorted(addresses)}")
    return name


def test_host_name_resolving_to_loopback_is_never_delivered_to(strict_org: Org, receivers):
    """The machine's own host name resolves to loopback: the webhook is refused at
    registration, or accepted and its deliveries fail as refused, the listener hearing nothing."""
    name = _own_host_name_resolving_privately()
    staff, rx = strict_org.staff(), receivers()
    r = staff.put("/community/webhooks/wh_name", hook_body(f"http://{name}:{rx.port}/hook"))
    if r.status_code == 400:
        assert_error(r, 400, "url_not_allowed")
        assert_error(staff.get("/community/webhooks/wh_name"), 404, "webhook_not_found")
        return
    assert r.status_code == 201, r.text
    assert strict_org.member("usr_alice").post("/client/community/follow", {"following": "usr_bob"}).status_code == 201

    done = wait_deliveries(staff, "wh_name", finished, "the delivery to end")
    assert rx.received == [], f"the dispatcher reached 127.0.0.1:{rx.port} through {name!r}: {rx.received} {done}"
    [d] = done
    assert d["state"] == "dead" and d["lastStatus"] is None, d
    assert re.search(r"(?i)not allowed|refus|private|loopback|forbidden|blocked", d["lastError"] or ""), d


# --- 1b'. the address checked is the address dialed ----------------------------------------------

class _Dialer(httpcore.AsyncNetworkBackend):
    """Stands in for the network: records where it is asked to connect and what is written,
    and answers 204."""

    def __init__(self):
        self.dialed: list[str] = []
        self.sent = b""
        self.tls_names: list[str] = []

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        self.dialed.append(host)
        dialer = self

        class Stream(httpcore.AsyncMockStream):
            async def write(self, buffer, timeout=None):
                dialer.sent += buffer

            async def start_tls(self, ssl_context, server_hostname=None, timeout=None):
                dialer.tls_names.append(server_hostname)
                return self

        return Stream([b"HTTP/1.1 204 No Content\r\n\r\n"])

    async def sleep(self, seconds):
        pass


def test_the_dispatcher_dials_the_address_it_checked_and_resolves_once():
    """DNS rebinding: a name that answers a public address when checked and 127.0.0.1 when
    connected to. The delivery client resolves once, vets that answer, and dials exactly that
    address, while the request still names the host (Host header and TLS server name)."""
    answers = [["93.184.216.34"], ["127.0.0.1"]]
    asked: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        asked.append(host)
        return answers[min(len(asked) - 1, 1)]

    async def post(url: str) -> tuple[int, _Dialer]:
        dialer = _Dialer()
        backend = egress.VettedBackend(resolver=rebinding, inner=dialer)
        async with httpx.AsyncClient(transport=egress.VettedTransport(backend)) as client:
            status = (await client.post(url, content=b"{}")).status_code
        return status, dialer

    status, dialer = asyncio.run(post("https://rebind.example.net/hook"))
    assert status == 204 and asked == ["rebind.example.net"]
    assert dialer.dialed == ["93.184.216.34"] and dialer.tls_names == ["rebind.example.net"]
    assert b"\r\nHost: rebind.example.net\r\n" in dialer.sent

    # Resolved again for a new connection, the name now answers loopback: refused, nothing dialed.
    with pytest.raises(egress.AddressRefused):
        asyncio.run(post("https://rebind.example.net/hook"))
    assert asked == ["rebind.example.net"] * 2


def test_any_non_public_answer_refuses_the_name():
    """A name with one public and one private address is refused: which one a connection
    would use is not ours to predict."""
    async def mixed(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "10.0.0.7"]

    backend = egress.VettedBackend(resolver=mixed, inner=_Dialer())
    with pytest.raises(egress.AddressRefused):
        asyncio.run(backend.connect_tcp("mixed.example.net", 443, timeout=1))
    assert backend.inner.dialed == []


# --- 1c. credentials in the URL ------------------------------------------------------------------

@pytest.mark.parametrize("url", ["https://user:secret@hooks.example.com/x", "https://user@hooks.example.com/x",
                                 "https://:secret@hooks.example.com/x"])
def test_credentials_in_url_are_refused(strict_org: Org, url: str):
    """`https://user:secret@host/` is refused (400 url_credentials): a password kept in the url
    would come back in every answer that shows the webhook; deliveries are signed instead."""
    staff = strict_org.staff()
    assert_error(staff.put("/community/webhooks/wh_cred", hook_body(url)), 400, "url_credentials")
    assert_error(staff.get("/community/webhooks/wh_cred"), 404, "webhook_not_found")


@pytest.mark.parametrize("url", ["https://hooks.example.com/graphsvc", "http://8.8.8.8:8080/hook",
                                 "https://[2606:4700:4700::1111]/hook"])
def test_public_destinations_are_registered(strict_org: Org, url: str):
    """The checks refuse what is not public, and only that."""
    staff = strict_org.staff()
    r = staff.put("/community/webhooks/wh_public", hook_body(url))
    assert r.status_code == 201 and r.json()["url"] == url, r.text


# --- 1d. redirects are not followed ----------------------------------------------------------

@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_answers_are_not_followed(org: Org, receivers, status: int):
    """A receiver answering a redirect to another address does not get the dispatcher to
    POST there: the attempt counts as failed with the redirect's status."""
    staff = org.staff()
    target = receivers()
    redirector = receivers(answer=lambda n: status, location=target.url)
    assert staff.put("/community/webhooks/wh_redir", hook_body(redirector.url)).status_code == 201
    assert org.member("usr_alice").post("/client/community/follow", {"following": "usr_bob"}).status_code == 201

    [d] = wait_deliveries(staff, "wh_redir", lambda ds: ds and ds[0]["attempts"] >= 1, "a first attempt")
    assert redirector.received, "the redirecting receiver was never called"
    assert target.received == [], f"the redirect to {target.url} was followed: {target.received}"
    assert d["state"] != "delivered" and d["lastStatus"] == status, d


# --- 4. analysts cannot read signing secrets -------------------------------------------------

SECRET_QUERIES = [
    "MATCH (w:Webhook) WHERE w.org = $org RETURN properties(w) AS p",
    "MATCH (w:Webhook) WHERE w.org = $org RETURN w",
    "MATCH (w:Webhook) WHERE w.org = $org RETURN w.secret",
    "MATCH (w:Webhook) WHERE w.org = $org UNWIND keys(w) AS k RETURN k, w[k] AS v",
    "MATCH (w:Webhook) WHERE w.org = $org RETURN w {.*} AS m",
    "MATCH (n) WHERE n.secret IS NOT NULL AND n.org = $org RETURN n",
    "MATCH (n) WHERE n.org = $org RETURN labels(n) AS l, properties(n) AS p",
    "MATCH (n)-[r]-() WHERE n.org = $org RETURN properties(r) AS p",
    "MATCH (w:Webhook) RETURN properties(w) AS p",
    "MATCH (w:Webhook) RETURN w",
    "MATCH (w:Webhook) RETURN w.secret",
    "MATCH (n) WHERE n.secret IS NOT NULL RETURN n",
]


def test_analysts_cannot_read_webhook_signing_secrets(org: Org):
    """With a webhook's signing secret anyone can forge its deliveries: no analyst query
    returns it, in whatever form it asks for the webhook's properties."""
    staff, secret = org.staff(), "whsec_" + uuid.uuid4().hex
    body = hook_body("https://hooks.example.invalid/graphsvc", secret)
    assert staff.put("/community/webhooks/wh_secret", body).status_code == 201
    # An event, so that a delivery (and whatever it keeps) exists too.
    assert org.member("usr_alice").post("/client/community/follow", {"following": "usr_bob"}).status_code == 201

    analyst, leaks = org.analyst(), []
    for query in SECRET_QUERIES:
        r = analyst.post("/analytics/cypher", {"query": query, "params": {}})
        assert r.status_code < 500, (query, r.status_code, r.text[:500])
        if secret in r.text:
            leaks.append(query)
    assert leaks == [], f"the signing secret came back from {len(leaks)} analyst queries: {leaks}"


def test_secrets_stored_in_plain_text_are_sealed_and_still_sign(org: Org, neo4j_target, driver, receivers):
    """A database from before sealing holds plaintext secrets: a service process seals them at
    start-up (analysts stop seeing them) and deliveries are still signed with the same secret."""
    staff, rx, secret = org.staff(), receivers(), "whsec_legacy_" + uuid.uuid4().hex
    assert staff.put("/community/webhooks/wh_old", hook_body(rx.url, secret)).status_code == 201
    driver.execute_query("MATCH (w:Webhook {org: $org, id: 'wh_old'}) SET w.secret = $secret",
                         org=org.id, secret=secret)
    analyst = org.analyst()

    def visible() -> bool:
        r = analyst.post("/analytics/cypher", {"query": "MATCH (w:Webhook) WHERE w.org = $org RETURN w", "params": {}})
        assert r.status_code == 200, r.text
        return secret in r.text

    assert visible(), "the plaintext secret was not written: the test proves nothing"
    srv = Server(neo4j_target, **DISPATCH_ENV)  # a process starting, as after an upgrade
    try:
        deadline = time.monotonic() + DEADLINE
        while visible():
            assert time.monotonic() < deadline, "the plaintext secret was not sealed"
            time.sleep(0.2)
    finally:
        srv.stop()
    assert org.member("usr_alice").post("/client/community/follow", {"following": "usr_bob"}).status_code == 201
    [d] = wait_deliveries(staff, "wh_old", finished, "the delivery")
    assert d["state"] == "delivered", d
    headers, body = rx.received[-1]["headers"], rx.received[-1]["body"]
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Graphsvc-Signature"], expected)
