"""`graphsvc check [--org ORG] [--repair]`: verify the graph's invariants and report any that fail.

The service keeps these true transaction by transaction; the checker exists to
prove it after the fact (a crash, a restore, a migration, a bug) without trusting
the code that wrote the data. Every check reads named statements from
cypher/check/ in read transactions and never writes; only `--repair` writes, and
only the stored text and the derived data (audienceKey, FRIEND, FRIEND_TOP) below.

What is checked, per org (each query starts from the org's index entries):

- page_counters: every Page's `followerCount` equals its incoming FOLLOWS edges.
- people: every Person has a `key`; emails are lower-cased; no two people of the
  org share an email, case aside (so no email placeholder lingers beside the
  claimed person with that email -- an "orphaned placeholder duplicate").
- connections: every CONNECTED from a person of the org carries this `org` and an
  `id`, joins two different people, has status pending|accepted|rejected, and has
  `liveKey` set exactly when pending or accepted, equal to the pair's key.
- live_pairs: at most one live (liveKey set) CONNECTED per pair of people.
- audience_keys: every active FOLLOWS from a person of the org carries the
  `audienceKey` its two ends make (org | person or page | the followed person's key
  or the page's id | the follower's key; cypher/schema/002_indexes) and no pending
  one carries any: the audience of a post reads followers from that index alone.
  `--repair` sets (or removes) every wrong one, in transactions of 1,000 people: the
  back-fill of a store written before the key existed.
- followers_keys: every active FOLLOWS from a person of the org to a person carries
  the `followersKey` its ends and `since` make (org | person | the followed person's
  key | since, newest first | the follower's id else email; cypher/schema/002_indexes),
  a pending one the same under `request`, no other one carries any, and every FOLLOWS
  to a person is active or pending: a person's followers list reads that index alone
  and its total is the FOLLOWS degree less the `request` range.
  `--repair` sets (or removes) every wrong one, in transactions of 1,000 people.
- friend_edges: the FRIEND relationships of the org are exactly its accepted
  connections: one per accepted CONNECTED, from its requester to its target, no
  property; none missing, extra, reversed or doubled. Mutual connections, degrees,
  suggestions, visibility and the audience read FRIEND alone. `--repair` makes them
  equal, in transactions of 1,000 people: the upgrade step (back-fill) of a store
  written before FRIEND existed.
- friend_tops: FRIEND_TOP is exactly what cypher/graph/refresh_tops keeps: from each
  person with more than TOP_FRIENDS friends, one to each of the TOP_FRIENDS of them with
  the smallest keys, none from anyone else (suggestions read it in place of a hub's
  friends). `--repair` refreshes every person who holds or needs one, after FRIEND's.
- cross_org: no relationship joins a node of the org (Person, Page, Post, Event,
  Webhook, and through those Delivery) to a node of another org or of none.
- follow_events: the outbox agrees with the FOLLOWS edges both ways. For each
  (actor, subject, person|page) the latest follow.* event says created exactly
  when the edge exists, and every edge has such an event. Names are matched as
  the events write them: a user id or an email for people (an email still names
  the person after a claim, and so does a former email after the member's token
  moved them to a new one), a page id for pages. An edge an import made
  (`imported: true`, set by `graphsvc import` and `--offline` only) needs no event
  while none names it: an import writes none (docs/performance.md); once a member
  changes it, its events must agree as for any other edge.
- connection_events: for each connection id, the latest connection.* event agrees
  with the edge: requested -> pending, accepted -> accepted, rejected -> rejected,
  removed -> no edge with that id; and every CONNECTED edge an import did not make
  has an event.
- stored_text: no connection `context` and no event `payload` (JSON kept as text)
  decodes to a lone UTF-16 surrogate or a non-finite number (NaN, Infinity). Neo4j
  cannot hold a lone surrogate in a string (the driver refuses to send one), but JSON
  text can spell one as an escape, and versions before the API refused them stored
  such text: reading it back failed every listing that held it. `--repair` rewrites
  each such text with U+FFFD for the surrogate and null for the number (what the
  answers showed for them), compare-and-set, before the checks run.

With no --org the checker first lists every tenant and a handful of orphans with
two whole-graph scans (cypher/check/orgs and cypher/check/unscoped: nodes or
CONNECTED relationships with no `org` at all, which no org-scoped query can
reach), then runs the per-org checks for each tenant. Those two scans are the
only label scans; they never run with --org.

Exit status: 0 all invariants hold, 1 at least one failed (report on stdout),
2 Neo4j could not be reached.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from neo4j import Driver, GraphDatabase
from neo4j.exceptions import DriverError, Neo4jError

from .. import config
from ..db import S, Statement, as_dict
from ..domain.graph import TOP_FRIENDS
from ..text import first_invalid, repaired

# Rows kept per failing check; enough to act on, never a flood.
CAP = 50

T = TypeVar("T")

CHECKS = ("page_counters", "people", "connections", "live_pairs", "audience_keys", "friend_edges", "friend_tops",
          "cross_org", "followers_keys", "follow_events", "connection_events", "stored_text")


@dataclass(frozen=True)
class Violation:
    check: str
    org: str | None
    detail: str


def _fold(driver: Driver, database: str, statement: Statement, fold: Callable[[Iterator[dict]], T],
          **params: Any) -> T:
    """`fold` over the statement's records as they stream in: the edge checks read every
    relationship of an org, which need never be in memory at once."""
    def work(tx: Any) -> T:
        return fold(as_dict(record) for record in statement.run(tx, **params))

    with driver.session(database=database) as session:
        return session.execute_read(work)


def _read(driver: Driver, database: str, statement: Statement, **params: Any) -> list[dict]:
    return _fold(driver, database, statement, list, **params)


def _payload(text: str | None) -> dict:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _follow_kind(ev: dict) -> str:
    # follow/unfollow events record what was followed; a block's follow.deleted is always between people.
    following = _payload(ev["payload"]).get("following") or {}
    return "page" if following.get("type") == "page" else "person"


# The edge each follow.* event leaves behind: an active follow, a pending request, or none.
FOLLOW_EDGE = {"follow.created": "active", "follow.requested": "pending"}


def follow_violations(events: list[dict], edges: Iterable[dict]) -> list[str]:
    """Compare the latest follow.* event per (actor, subject, kind) with the FOLLOWS edges."""
    latest: dict[tuple, dict] = {}
    for ev in events:
        latest[(ev["actor"], ev["subject"], _follow_kind(ev))] = ev
    claimed = {key: FOLLOW_EDGE[ev["type"]] for key, ev in latest.items() if ev["type"] in FOLLOW_EDGE}
    found: set[tuple] = set()
    problems = []
    for edge in edges:
        names_from = [n for n in (edge["fromId"], edge["fromEmail"], *(edge.get("fromFormer") or ())) if n]
        names_to = [n for n in (edge["toId"], edge["toEmail"], *(edge.get("toFormer") or ())) if n]
        status = edge["status"] or "active"
        keys = {(a, s, edge["kind"]) for a in names_from for s in names_to}
        hit = {key for key in keys if claimed.get(key) == status}
        found |= hit
        if not hit and not (edge.get("imported") and not keys & latest.keys()):
            want = "follow.created" if status == "active" else "follow.requested"
            problems.append(f"{status} edge {'/'.join(names_from)} -FOLLOWS-> {edge['kind']} {'/'.join(names_to)} "
                            f"has no {want} as its latest event")
    for key in sorted(set(claimed) - found, key=str):
        ev = latest[key]
        problems.append(f"event #{ev['seq']} {ev['type']} {key[0]} -> {key[2]} {key[1]} has no matching FOLLOWS edge")
    return problems


EXPECTED_STATUS = {"connection.requested": "pending", "connection.accepted": "accepted",
                   "connection.rejected": "rejected", "connection.removed": None}


def latest_connection_events(events: list[dict]) -> dict[str, dict]:
    """The latest connection.* event per connection id, events oldest first."""
    latest: dict[str, dict] = {}
    for ev in events:
        conn = _payload(ev["payload"]).get("connection") or {}
        if isinstance(conn, dict) and conn.get("id"):
            latest[conn["id"]] = ev
    return latest


def connection_violations(latest: dict[str, dict], edges: Iterable[dict]) -> list[str]:
    """Compare the latest connection.* event per connection id (latest_connection_events)
    with the CONNECTED edges. Only the edges that events name are kept as the edges stream by."""
    named: dict[str, str] = {}
    unclaimed: list[tuple[str, str]] = []
    for edge in edges:
        if edge["id"] in latest:
            named[edge["id"]] = edge["status"]
        elif not edge.get("imported"):
            unclaimed.append((edge["id"], edge["status"]))
    problems = []
    for cid, ev in sorted(latest.items()):
        if ev["type"] not in EXPECTED_STATUS:
            continue
        want, have = EXPECTED_STATUS[ev["type"]], named.get(cid)
        if want != have:
            problems.append(f"connection {cid}: latest event #{ev['seq']} is {ev['type']} "
                            f"but the edge is {have or 'absent'}")
    for cid, status in sorted(unclaimed, key=str):
        problems.append(f"connection {cid} ({status}) has no connection event")
    return problems


def text_problem(text: str) -> str | None:
    """Where stored JSON text decodes to something no answer can carry (a lone surrogate,
    a non-finite number), or None. Text that is not JSON at all is not this check's concern."""
    try:
        return first_invalid(json.loads(text), "")
    except (ValueError, RecursionError):
        return None


def text_findings(driver: Driver, database: str, org: str) -> tuple[list[dict], list[dict]]:
    """(connection contexts, event payloads) of the org that fail `text_problem`, each with
    where the problem is and the text that would replace it."""
    def bad(rows: list[dict], key: str) -> list[dict]:
        out = []
        for row in rows:
            where = text_problem(row["text"])
            if where is not None:
                new = json.dumps(repaired(json.loads(row["text"])), separators=(",", ":"))
                out.append({key: row[key], "where": where, "old": row["text"], "new": new})
        return out

    return (bad(_read(driver, database, S.check.text_contexts, org=org), "id"),
            bad(_read(driver, database, S.check.text_payloads, org=org), "seq"))


def text_violations(contexts: list[dict], payloads: list[dict]) -> list[str]:
    return ([f"connection {c['id']}: context{c['where']} is a lone surrogate or a non-finite number"
             for c in contexts] +
            [f"event #{e['seq']}: payload{e['where']} is a lone surrogate or a non-finite number"
             for e in payloads])


def _fixes(found: list[dict], key: str) -> list[dict]:
    return [{key: f[key], "old": f["old"], "new": f["new"]} for f in found]


def repair_text(driver: Driver, database: str, org: str) -> tuple[int, int]:
    """Rewrite the org's stored text that fails `stored_text`, in one write transaction:
    (contexts, payloads) rewritten."""
    contexts, payloads = text_findings(driver, database, org)

    def work(tx: Any) -> tuple[int, int]:
        fixed_contexts = S.check.repair_contexts.run(tx, org=org, fixes=_fixes(contexts, "id")).single()["fixed"]
        fixed_payloads = S.check.repair_payloads.run(tx, org=org, fixes=_fixes(payloads, "seq")).single()["fixed"]
        return fixed_contexts, fixed_payloads

    if not contexts and not payloads:
        return 0, 0
    with driver.session(database=database) as session:
        return session.execute_write(work)


def repair_audience_keys(driver: Driver, database: str, org: str) -> int:
    """Set every wrong (or missing) `audienceKey` of the org's follows, and remove it
    from any pending one: an auto-commit query that commits every 1,000 people, so a
    large org is back-filled without one huge transaction. The number of edges fixed."""
    with driver.session(database=database) as session:
        return S.check.repair_audience_keys.run(session, org=org).single()["fixed"] or 0


def repair_friend_edges(driver: Driver, database: str, org: str) -> int:
    """The upgrade step for FRIEND: create the FRIEND of every accepted connection that
    lacks one and delete every FRIEND that is not one accepted connection's (extra,
    reversed, doubled), as an auto-commit query that commits every 1,000 people, so a
    store written before FRIEND existed is back-filled without one huge transaction.
    Safe beside a running service; a batch that meets a deadlock fails the run, which
    is simply run again. The number of FRIEND relationships created or deleted."""
    with driver.session(database=database) as session:
        return S.check.repair_friend_edges.run(session, org=org).single()["fixed"] or 0


def repair_friend_tops(driver: Driver, database: str, org: str, chunk: int = 100) -> tuple[int, int]:
    """Refresh FRIEND_TOP (cypher/graph/refresh_tops) of every person of the org who holds
    or needs one, `chunk` people per write transaction: the step after writes that change
    FRIEND in bulk (an import, the offline load, repair_friend_edges), which refresh once
    at the end rather than per batch. (people looked at, FRIEND_TOP created + deleted)."""
    with driver.session(database=database) as session:
        people = [r["person"] for r in S.graph.top_holders.run(session, org=org, keep=TOP_FRIENDS)]

    def work(tx: Any, refs: list[str]) -> int:
        counters = S.graph.refresh_tops.run(tx, org=org, people=refs, keep=TOP_FRIENDS).consume().counters
        return counters.relationships_created + counters.relationships_deleted

    changed = 0
    for i in range(0, len(people), chunk):
        with driver.session(database=database) as session:
            changed += session.execute_write(work, people[i:i + chunk])
    return len(people), changed


def repair_followers_keys(driver: Driver, database: str, org: str) -> int:
    """Set every wrong (or missing) `followersKey` of the org's follows, and remove it
    from any pending one or a page's, committing every 1,000 people, as
    repair_audience_keys does. The number of edges fixed."""
    with driver.session(database=database) as session:
        return S.check.repair_followers_keys.run(session, org=org).single()["fixed"] or 0


def _fmt(row: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in row.items())


def follow_event_violations(driver: Driver, database: str, org: str) -> list[str]:
    events = _read(driver, database, S.check.follow_events, org=org)
    actors = sorted({ev["actor"] for ev in events if ev["actor"]})
    return _fold(driver, database, S.check.follow_edges, lambda edges: follow_violations(events, edges),
                 org=org, actors=actors)


def connection_event_violations(driver: Driver, database: str, org: str) -> list[str]:
    latest = latest_connection_events(_read(driver, database, S.check.connection_events, org=org))
    return _fold(driver, database, S.check.connection_edges, lambda edges: connection_violations(latest, edges),
                 org=org, ids=sorted(latest))


def check_org(driver: Driver, database: str, org: str) -> list[Violation]:
    """Every per-org invariant of one tenant."""
    out: list[Violation] = []

    def add(check: str, details: Iterable[str]) -> None:
        out.extend(Violation(check, org, d) for d in details)

    for statement in (S.check.page_counters, S.check.people, S.check.connections, S.check.live_pairs,
                      S.check.audience_keys, S.check.followers_keys, S.check.friend_edges, S.check.cross_org):
        add(statement.name.split("/")[1], (_fmt(r) for r in _read(driver, database, statement, org=org, cap=CAP)))
    add("friend_tops", (_fmt(r) for r in _read(driver, database, S.check.friend_tops, org=org, cap=CAP,
                                                keep=TOP_FRIENDS)))
    add("follow_events", follow_event_violations(driver, database, org)[:CAP])
    add("connection_events", connection_event_violations(driver, database, org)[:CAP])
    add("stored_text", text_violations(*text_findings(driver, database, org))[:CAP])
    return out


def tenants(driver: Driver, database: str, org: str | None) -> list[str]:
    return [org] if org is not None else [r["org"] for r in _read(driver, database, S.check.orgs)]


def run(driver: Driver, database: str, org: str | None = None) -> tuple[list[str], list[Violation]]:
    """(orgs checked, violations). Without `org`: every tenant plus the unscoped orphans."""
    if org is not None:
        return [org], check_org(driver, database, org)
    orgs = tenants(driver, database, None)
    found = [Violation("unscoped", None, r["item"]) for r in _read(driver, database, S.check.unscoped, cap=CAP)]
    for one_org in orgs:
        found += check_org(driver, database, one_org)
    return orgs, found


def report(orgs: list[str], violations: list[Violation]) -> str:
    lines = [f"checked {len(orgs)} org(s): {', '.join(CHECKS)}" + ("" if len(orgs) == 1 else ", unscoped")]
    if not violations:
        lines.append("OK: every invariant holds")
        return "\n".join(lines)
    lines.append(f"FAILED: {len(violations)} violation(s)")
    groups: dict[tuple, list[str]] = {}
    for v in violations:
        groups.setdefault((v.org or "(no org)", v.check), []).append(v.detail)
    for (org, check), details in sorted(groups.items()):
        lines.append(f"  [{org}] {check}: {len(details)}")
        lines += [f"    - {d}" for d in details]
    return "\n".join(lines)


def repair_report(driver: Driver, database: str, org: str | None) -> str:
    """Repair every tenant's stored text, follows' audience keys and FRIEND and FRIEND_TOP
    relationships (or one tenant's) and say what was rewritten."""
    lines, repaired_orgs = [], 0
    for one_org in tenants(driver, database, org):
        contexts, payloads = repair_text(driver, database, one_org)
        if contexts or payloads:
            lines.append(f"  [{one_org}] stored_text: {contexts} connection context(s), {payloads} event payload(s)")
        keys = repair_audience_keys(driver, database, one_org)
        if keys:
            lines.append(f"  [{one_org}] audience_keys: {keys} follow(s)")
        followers = repair_followers_keys(driver, database, one_org)
        if followers:
            lines.append(f"  [{one_org}] followers_keys: {followers} follow(s)")
        friends = repair_friend_edges(driver, database, one_org)
        if friends:
            lines.append(f"  [{one_org}] friend_edges: {friends} FRIEND relationship(s)")
        _, tops = repair_friend_tops(driver, database, one_org)
        if tops:
            lines.append(f"  [{one_org}] friend_tops: {tops} FRIEND_TOP relationship(s)")
        repaired_orgs += bool(contexts or payloads or keys or followers or friends or tops)
    return "\n".join([f"repaired: {repaired_orgs} org(s)", *lines])


def _main(args: argparse.Namespace) -> int:
    settings = config.load()
    try:
        # Notifications off, as the service's driver has them: on a store with no events the
        # event checks name property keys it has never seen, one warning each on stderr.
        with GraphDatabase.driver(settings.neo4j_uri, auth=(settings.neo4j_user, settings.neo4j_password),
                                  connection_timeout=settings.db_timeout, notifications_min_severity="OFF") as driver:
            if args.repair:
                print(repair_report(driver, settings.neo4j_database, args.org))
            orgs, violations = run(driver, settings.neo4j_database, args.org)
    except (DriverError, Neo4jError, OSError) as exc:
        print(f"graphsvc check: cannot read the graph: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 2
    print(report(orgs, violations))
    return 1 if violations else 0


def add_command(sub: Any) -> None:
    """Register `graphsvc check` on the CLI's subparsers."""
    p = sub.add_parser("check", help="verify the graph's invariants (exit 1 with a report if one fails)")
    p.add_argument("--org", help="check one tenant only (index seeks only); default: every tenant")
    p.add_argument("--repair", action="store_true",
                   help="first rewrite stored text that fails stored_text (U+FFFD for a lone surrogate, "
                        "null for NaN/Infinity) and set every follow's audienceKey and followersKey that fails "
                        "audience_keys or followers_keys "
                        "and make FRIEND equal the accepted connections (friend_edges) and FRIEND_TOP what it "
                        "keeps (friend_tops) (the back-fills after an upgrade), then check")
    p.set_defaults(fn=_main)
