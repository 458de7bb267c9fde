"""Analysts' read-only Cypher, the curated reports and the CLI, against real Neo4j."""

from __future__ import annotations

import csv
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import networkx as nx
import pytest

from graphsvc.analytics import reports

from .conftest import ROOT, Org, Server, assert_error

SLOW = "UNWIND range(1, 100000000) AS x WITH x WHERE x % 7 = 0 RETURN count(*) AS n"
SCANS = {"AllNodesScan", "NodeByLabelScan", "UnionNodeByLabelsScan", "DirectedRelationshipTypeScan",
         "UndirectedRelationshipTypeScan", "DirectedAllRelationshipsScan", "UndirectedAllRelationshipsScan"}


def cypher(caller, query: str, **params) -> httpx.Response:
    return caller.post("/analytics/cypher", {"query": query, "params": params})


def count(driver, query: str, **params) -> int:
    return driver.execute_query(query, params).records[0][0]


# --- the seeded graph the reports are checked against ------------------------------------------

PEOPLE = ["usr_a", "usr_b", "usr_c", "usr_d", "usr_e", "usr_f", "usr_g"]
ZOE = "zoe@example.com"  # known only by email: followed and invited before she ever signed in
PAGES = {"pg_news": "News", "pg_jobs": "Jobs", "pg_quiet": "Quiet"}
# (follower, followed, type, weeks ago)
FOLLOWS = [
    ("usr_a", "pg_news", "page", 0), ("usr_b", "pg_news", "page", 1), ("usr_c", "pg_news", "page", 1),
    ("usr_d", "pg_news", "page", 3), ("usr_e", "pg_jobs", "page", 0), ("usr_a", "pg_jobs", "page", 2),
    ("usr_b", "usr_a", "person", 0), ("usr_c", "usr_a", "person", 0), ("usr_d", "usr_a", "person", 5),
    ("usr_e", "usr_b", "person", 1), ("usr_a", ZOE, "person", 0), ("usr_b", ZOE, "person", 2),
    ("usr_f", "usr_c", "person", 20),  # before the 12-week window: only in the running total
]
# (requester, target, outcome, hours until answered)
CONNECTIONS = [
    ("usr_a", "usr_b", "accept", 1), ("usr_b", "usr_c", "accept", 3), ("usr_a", "usr_c", "accept", 10),
    ("usr_d", "usr_e", "accept", 2), ("usr_f", "usr_a", "reject", 4), ("usr_g", "usr_f", "reject", 6),
    ("usr_g", "usr_a", None, 0), ("usr_e", "usr_a", None, 0), ("usr_c", "usr_d", None, 0),
    ("usr_f", "usr_d", None, 0), ("usr_g", "usr_d", None, 0), ("usr_a", ZOE, None, 0),
]
BASE = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


class Seeded:
    def __init__(self, org: Org, now: datetime, requested: dict[str, datetime]):
        self.org, self.now, self.requested = org, now, requested


@pytest.fixture(scope="module")
def seeded(http, driver) -> Seeded:
    """One org with the graph above, made through the API; times then set to known values."""
    org = Org(http)
    staff = org.staff()
    for page, name in PAGES.items():
        assert staff.put(f"/community/pages/{page}", {"name": name}).status_code in (200, 201)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    for follower, followed, kind, weeks in FOLLOWS:
        r = org.member(follower).post("/client/community/follow", {"following": followed, "followingType": kind})
        assert r.status_code == 201, r.text
        driver.execute_query(
            "MATCH (a:Person {org: $org, id: $a})-[f:FOLLOWS]->(t) WHERE t.id = $t OR t.email = $t "
            "SET f.since = $since", org=org.id, a=follower, t=followed, since=now - timedelta(weeks=weeks))
    requested = {}
    for i, (requester, target, outcome, hours) in enumerate(CONNECTIONS):
        r = org.member(requester).post("/client/community/connections/request", {"targetId": target})
        assert r.status_code == 201, r.text
        cid = r.json()["id"]
        if outcome:
            answer = org.member(target).put(f"/client/community/connections/{cid}/respond", {"action": outcome})
            assert answer.status_code == 200, answer.text
        requested[(requester, target)] = at = BASE + timedelta(hours=i)
        driver.execute_query(
            "MATCH ()-[c:CONNECTED {id: $id}]->() SET c.requestedAt = $at, "
            "c.respondedAt = CASE WHEN c.respondedAt IS NULL THEN null ELSE $at + duration({hours: $h}) END",
            id=cid, at=at, h=hours)
    return Seeded(org, now, requested)


def run_report(caller, name: str, **params) -> dict:
    r = caller.post(f"/community/analytics/{name}", {"params": params})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["name"] == name and set(body) == {"name", "title", "columns", "rows", "truncated", "elapsedMs"}
    assert body["truncated"] is False
    return body


def as_dicts(body: dict) -> list[dict]:
    return [dict(zip(body["columns"], row)) for row in body["rows"]]


def ranked(counts: Counter, limit: int) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def accepted_graph() -> nx.Graph:
    g = nx.Graph()
    g.add_edges_from((a, b) for a, b, outcome, _ in CONNECTIONS if outcome == "accept")
    return g


def name_of(row: dict) -> str:
    return row["userId"] or row["email"]


# --- refusals --------------------------------------------------------------------------------------

def test_writes_schema_commands_and_hidden_writes_are_refused_and_change_nothing(org, driver):
    analyst = org.analyst()
    assert org.member("usr_a").post("/client/community/follow", {"following": "usr_b"}).status_code == 201
    before = count(driver, "MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN count(p)", org=org.id)
    indexes = count(driver, "SHOW INDEXES YIELD name RETURN count(*)")
    attempts = [
        "CREATE (:Person {org: $org, id: 'usr_intruder'})",
        "MATCH (p:Person {org: $org, id: 'usr_a'}) SET p.hacked = true RETURN p",
        "MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL CALL (p) { SET p.hacked = true } RETURN count(*)",
        "CALL () { CREATE (:Person {org: $org, id: 'usr_hidden'}) } RETURN 1 AS one",
        "MATCH (p:Person {org: $org, id: 'usr_a'}) CALL (p) { MATCH (p)-[f:FOLLOWS]->() DELETE f } RETURN 1",
        "MERGE (p:Person {org: $org, id: 'usr_merged'}) RETURN p",
        "FOREACH (i IN [1] | CREATE (:Person {org: $org, id: 'usr_loop'}))",
        "CREATE INDEX analyst_idx IF NOT EXISTS FOR (p:Person) ON (p.hacked)",
        "DROP CONSTRAINT person_id",
        "CALL db.createLabel('AnalystLabel')",
        "CALL db.clearQueryCaches()",
        "CALL dbms.killConnections(['bolt-1'])",
        "CALL db.stats.clear('QUERIES')",
        "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
        "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    ]
    for query in attempts:
        body = assert_error(cypher(analyst, query), 400, "query_refused")
        assert body["error"]["message"], query
    # Administration commands cannot even be planned here: a 400 all the same.
    assert_error(cypher(analyst, "CREATE USER mallory SET PASSWORD 'longenough1'"), 400)
    assert count(driver, "MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN count(p)",
                 org=org.id) == before
    assert count(driver, "MATCH (p:Person {org: $org, id: 'usr_a'}) WHERE p.hacked IS NOT NULL RETURN count(p)",
                 org=org.id) == 0
    assert count(driver, "MATCH (:Person {org: $org, id: 'usr_a'})-[f:FOLLOWS]->() RETURN count(f)", org=org.id) == 1
    assert count(driver, "SHOW INDEXES YIELD name RETURN count(*)") == indexes
    assert count(driver, "SHOW CONSTRAINTS YIELD name WHERE name = 'person_id' RETURN count(*)") == 1
    assert count(driver, "CALL db.labels() YIELD label WHERE label = 'AnalystLabel' RETURN count(*)") == 0
    assert count(driver, "SHOW USERS YIELD user WHERE user = 'mallory' RETURN count(*)") == 0


def test_bad_cypher_is_a_400_with_neo4js_message(org):
    analyst = org.analyst()
    body = assert_error(cypher(analyst, "MATCH (n RETURN n"), 400, "cypher_syntax")
    # Positions are the caller's own, not shifted by the EXPLAIN the check adds.
    assert "Invalid input" in body["error"]["message"] and "line 1, column 10" in body["error"]["message"]
    assert "EXPLAIN" not in body["error"]["message"]
    assert_error(cypher(analyst, "RETURN $nothing + 1 AS x, 1 / $zero AS y", nothing=1, zero=0), 400, "cypher_error")
    assert_error(cypher(analyst, "RETURN 1; RETURN 2"), 400, "cypher_syntax")
    assert_error(analyst.post("/analytics/cypher", {"query": ""}), 400, "validation_error")
    assert_error(analyst.post("/analytics/cypher", {"query": "RETURN 1", "params": []}), 400, "validation_error")
    assert_error(analyst.post("/analytics/cypher", {"query": "RETURN $big", "params": {"big": 2 ** 70}}),
                 400, "invalid_params")


def test_only_analysts_may_run_cypher_and_only_staff_run_reports(org, other_org):
    for caller in (org.member("usr_a"), org.staff(), org.service()):
        assert_error(cypher(caller, "RETURN 1 AS one"), 403)
    assert_error(org.http.post("/analytics/cypher", json={"query": "RETURN 1"}, headers={"orgid": org.id}), 401)
    wrong_org = org.analyst()
    assert_error(wrong_org.post("/analytics/cypher", {"query": "RETURN 1"}, headers={"orgid": other_org.id}), 403)
    for caller in (org.member("usr_a"), org.analyst()):
        assert_error(caller.get("/community/analytics"), 403)
        assert_error(caller.post("/community/analytics/connection_funnel", {}), 403)


# --- results -----------------------------------------------------------------------------------------

def test_org_is_bound_and_values_are_rendered_as_json(org, other_org, driver):
    for o in (org, other_org):
        assert o.member("usr_a").post("/client/community/follow", {"following": "usr_b"}).status_code == 201
    analyst = org.analyst()
    # `org` in params is the caller's org whatever the caller sends.
    r = cypher(analyst, "MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p.org AS org, p.id AS id "
                        "ORDER BY id", org=other_org.id)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"columns", "rows", "truncated", "elapsedMs"}
    assert body["columns"] == ["org", "id"] and body["truncated"] is False and body["elapsedMs"] >= 0
    assert body["rows"] == [[org.id, "usr_a"], [org.id, "usr_b"]]

    r = cypher(analyst, "MATCH path = (a:Person {org: $org, id: 'usr_a'})-[f:FOLLOWS]->(b:Person) "
                        "RETURN a, f, path, f.since AS since, date('2026-03-01') AS day, duration('PT90M') AS d, "
                        "[1, 'x', null, 2.5, true] AS list, {k: point({x: 1, y: 2})} AS map, $when AS echoed",
               when="2026-01-01")
    assert r.status_code == 200, r.text
    row = dict(zip(r.json()["columns"], r.json()["rows"][0]))
    assert row["a"]["labels"] == ["Person"] and row["a"]["properties"]["id"] == "usr_a"
    assert row["a"]["properties"]["org"] == org.id and row["a"]["elementId"]
    assert row["f"]["type"] == "FOLLOWS" and row["f"]["properties"]["status"] == "active"
    assert row["f"]["startElementId"] == row["a"]["elementId"]
    assert [n["properties"]["id"] for n in row["path"]["nodes"]] == ["usr_a", "usr_b"]
    assert [rel["type"] for rel in row["path"]["relationships"]] == ["FOLLOWS"]
    since = datetime.fromisoformat(row["since"])
    assert since.tzinfo is not None and row["f"]["properties"]["since"] == row["since"]
    stored = driver.execute_query("MATCH (:Person {org: $org, id: 'usr_a'})-[f:FOLLOWS]->() RETURN f.since AS s",
                                  org=org.id).records[0]["s"].to_native()
    assert since == stored
    assert row["day"] == "2026-03-01" and row["d"] == "PT1H30M"
    assert row["list"] == [1, "x", None, 2.5, True]
    assert row["map"] == {"k": {"srid": 7203, "coordinates": [1.0, 2.0]}}
    assert row["echoed"] == "2026-01-01"


def test_the_default_row_cap_holds(org):
    analyst = org.analyst()
    body = cypher(analyst, "UNWIND range(1, 10001) AS x RETURN x").json()
    assert len(body["rows"]) == 10_000 and body["truncated"] is True and body["rows"][-1] == [10_000]
    body = cypher(analyst, "UNWIND range(1, 10000) AS x RETURN x").json()
    assert len(body["rows"]) == 10_000 and body["truncated"] is False


@pytest.fixture(scope="module")
def limited(neo4j_target):
    srv = Server(neo4j_target, GRAPHSVC_ANALYST_TIMEOUT="1", GRAPHSVC_ANALYST_ROW_CAP="5")
    yield srv
    srv.stop()


def test_time_limit_and_row_cap_from_settings_and_every_query_is_logged(limited, driver):
    with httpx.Client(base_url=limited.url, timeout=60) as client:
        org = Org(client)
        analyst = org.analyst("ana_slow")
        body = cypher(analyst, "UNWIND range(1, 6) AS x RETURN x").json()
        assert body["rows"] == [[1], [2], [3], [4], [5]] and body["truncated"] is True
        assert cypher(analyst, "UNWIND range(1, 5) AS x RETURN x").json()["truncated"] is False

        # Neo4j itself stops the slow query at the transaction timeout; the client
        # here would have waited a minute.
        body = assert_error(cypher(analyst, SLOW), 400, "query_timeout")
        assert "time limit" in body["error"]["message"]
        still = count(driver, "SHOW TRANSACTIONS YIELD metaData WHERE metaData.sub = 'ana_slow' "
                              "AND metaData.org = $org RETURN count(*)", org=org.id)
        assert still == 0
        assert_error(cypher(analyst, "CREATE (:Person {org: $org, id: 'x'})"), 400, "query_refused")

    lines = []
    log_path = Path(limited.log.name)
    for _ in range(50):  # the server writes its log asynchronously
        lines = [json.loads(line) for line in log_path.read_text().splitlines()
                 if line.startswith("{") and '"analyst_query"' in line and org.id in line]
        if len(lines) >= 4:
            break
        time.sleep(0.1)
    assert [(x["outcome"], x["rows"], x["truncated"]) for x in lines] == [
        ("ok", 5, True), ("ok", 5, False), ("timeout", 0, False), ("refused", 0, False)]
    for line in lines:
        assert line["sub"] == "ana_slow" and line["role"] == "analyst" and line["org"] == org.id
        assert isinstance(line["elapsedMs"], (int, float)) and line["query"]
    assert lines[2]["query"] == SLOW


# --- curated reports -----------------------------------------------------------------------------------

def test_reports_are_listed_with_their_parameters(org):
    body = org.staff().get("/community/analytics").json()
    names = [r["name"] for r in body["data"]]
    assert names == sorted(reports()) and body["pagination"]["total"] == len(names)
    assert {"connection_funnel", "most_followed_pages", "most_followed_people", "most_connected_members",
            "pending_requests", "follower_growth", "communities"} <= set(names)
    for rep in body["data"]:
        assert rep["title"] and rep["description"]
    pages = next(r for r in body["data"] if r["name"] == "most_followed_pages")
    assert pages["params"] == [{"name": "limit", "type": "int", "default": 10, "description": "how many pages to list"}]
    assert org.service().get("/community/analytics", params={"limit": 2}).json()["pagination"]["hasMore"] is True


def test_every_report_is_org_scoped_and_starts_from_an_index(driver):
    for name, rep in reports().items():
        assert "$org" in rep.text, name
        summary = driver.execute_query("EXPLAIN " + rep.text, rep.bind({}, "org-x")).summary
        assert summary.query_type == "r", name

        def ops(plan: dict) -> list[str]:
            return [plan["operatorType"].split("@")[0]] + [o for c in plan.get("children", []) for o in ops(c)]

        found = ops(summary.plan)
        assert not SCANS & set(found), (name, found)
        assert any("IndexSeek" in op for op in found), (name, found)


def test_connection_funnel(seeded):
    body = run_report(seeded.org.staff(), "connection_funnel")
    outcomes = Counter(outcome for *_, outcome, _ in CONNECTIONS)
    accepted_hours = [h for *_, outcome, h in CONNECTIONS if outcome == "accept"]
    assert as_dicts(body) == [{
        "requested": len(CONNECTIONS), "accepted": outcomes["accept"], "rejected": outcomes["reject"],
        "pending": outcomes[None],
        "acceptanceRate": round(outcomes["accept"] / (outcomes["accept"] + outcomes["reject"]), 4),
        "medianSecondsToAccept": statistics.median(accepted_hours) * 3600,
    }]


def test_most_followed_pages_and_people(seeded):
    staff = seeded.org.staff()
    pages = Counter(t for _, t, kind, _ in FOLLOWS if kind == "page")
    body = run_report(staff, "most_followed_pages")
    assert [(r["pageId"], r["name"], r["followers"], r["followerCount"]) for r in as_dicts(body)] == [
        (page, PAGES[page], n, n) for page, n in ranked(pages, 10)]
    assert len(run_report(staff, "most_followed_pages", limit=1)["rows"]) == 1

    people = Counter(t for _, t, kind, _ in FOLLOWS if kind == "person")
    body = run_report(staff, "most_followed_people")
    assert [(name_of(r), r["followers"]) for r in as_dicts(body)] == ranked(people, 10)
    zoe = next(r for r in as_dicts(body) if r["email"] == ZOE)
    assert zoe["userId"] is None


def test_most_connected_and_pending_requests(seeded):
    staff = seeded.org.staff()
    degrees = Counter(dict(accepted_graph().degree()))
    body = run_report(staff, "most_connected_members")
    assert [(name_of(r), r["connections"]) for r in as_dicts(body)] == ranked(degrees, 10)

    pending = [(a, b) for a, b, outcome, _ in CONNECTIONS if outcome is None]
    received, sent = Counter(b for _, b in pending), Counter(a for a, _ in pending)
    body = run_report(staff, "pending_requests", minPending=2)
    expected = [(who, n, sent[who], min(seeded.requested[(a, b)] for a, b in pending if b == who))
                for who, n in ranked(received, 50) if n >= 2]
    assert len(expected) == 2
    assert [(name_of(r), r["pendingReceived"], r["pendingSent"], datetime.fromisoformat(r["oldestRequestedAt"]))
            for r in as_dicts(body)] == expected
    assert run_report(staff, "pending_requests")["rows"] == []  # nobody has the default 5


def test_follower_growth_per_week(seeded):
    body = run_report(seeded.org.staff(), "follower_growth")
    this_week = seeded.now.date() - timedelta(days=seeded.now.weekday())
    weeks = [this_week - timedelta(weeks=i) for i in range(11, -1, -1)]

    def week_of(weeks_ago: int):
        day = (seeded.now - timedelta(weeks=weeks_ago)).date()
        return day - timedelta(days=day.weekday())

    expected = []
    for week in weeks:
        new = [kind for *_, kind, ago in FOLLOWS if week_of(ago) == week]
        total = sum(1 for *_, ago in FOLLOWS if week_of(ago) <= week)
        expected.append({"week": week.isoformat(), "newFollows": len(new), "newPersonFollows": new.count("person"),
                         "newPageFollows": new.count("page"), "totalFollows": total})
    assert as_dicts(body) == expected
    assert expected[-1]["totalFollows"] == len(FOLLOWS)
    assert len(run_report(seeded.org.staff(), "follower_growth", weeks=3)["rows"]) == 3


def test_communities_and_triangles(seeded):
    staff = seeded.org.staff()
    g = accepted_graph()
    components = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c[0]))
    body = run_report(staff, "communities")
    assert [(r["community"], r["size"], r["members"]) for r in as_dicts(body)] == [
        (c[0], len(c), c) for c in components]
    assert [r[2] for r in run_report(staff, "communities", maxMembers=1)["rows"]] == [[c[0]] for c in components]

    triangles = Counter({k: v for k, v in nx.triangles(g).items() if v})
    clustering = nx.clustering(g)
    body = run_report(staff, "triangles")
    assert [(name_of(r), r["triangles"], r["connections"], r["clustering"]) for r in as_dicts(body)] == [
        (who, n, g.degree(who), round(clustering[who], 4)) for who, n in ranked(triangles, 20)]


def test_reports_see_only_the_callers_org(seeded, other_org):
    # Another org's staff sees nothing of the seeded org, even when naming it.
    staff = other_org.staff()
    assert run_report(staff, "most_followed_people", org=seeded.org.id)["rows"] == []
    assert as_dicts(run_report(staff, "connection_funnel"))[0]["requested"] == 0
    assert run_report(staff, "communities")["rows"] == []


def test_report_errors(org):
    staff = org.staff()
    assert_error(staff.post("/community/analytics/no_such_report", {}), 404, "report_not_found")
    assert_error(staff.post("/community/analytics/most_followed_pages", {"params": {"bogus": 1}}), 400,
                 "invalid_params")
    assert_error(staff.post("/community/analytics/most_followed_pages", {"params": {"limit": "many"}}), 400,
                 "invalid_params")
    assert_error(staff.post("/community/analytics/most_followed_pages", {"params": {"limit": -1}}), 400)
    assert_error(staff.post("/community/analytics/bad name!", {}), 400)


# --- the command line ------------------------------------------------------------------------------------

def cli(neo4j_target, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NEO4J_URI": neo4j_target.uri, "NEO4J_USER": neo4j_target.user,
           "NEO4J_PASSWORD": neo4j_target.password}
    return subprocess.run([sys.executable, "-m", "graphsvc", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


FOLLOWER_QUERY = ("MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL "
                  "RETURN p.id AS id, COUNT { (p)<-[:FOLLOWS]-() } AS followers, p.email AS email ORDER BY id")


def test_cli_prints_a_table_and_a_csv(seeded, neo4j_target):
    followers = Counter(t for _, t, kind, _ in FOLLOWS if kind == "person")
    expected = [(p, followers[p]) for p in sorted(PEOPLE)]

    table = cli(neo4j_target, "cypher", FOLLOWER_QUERY, "--org", seeded.org.id)
    assert table.returncode == 0, table.stderr
    header, rule, *lines = table.stdout.splitlines()
    assert [c.strip() for c in header.split("|")] == ["id", "followers", "email"]
    assert set(rule) <= {"-", "+"} and len(rule) >= len(header)
    rows = [[c.strip() for c in line.split("|")] for line in lines]
    assert [(r[0], int(r[1])) for r in rows] == expected and {r[2] for r in rows} == {"null"}
    assert f"({len(PEOPLE)} rows" in table.stderr

    out = cli(neo4j_target, "cypher", FOLLOWER_QUERY, "--param", f"org={seeded.org.id}", "--format", "csv")
    assert out.returncode == 0, out.stderr
    parsed = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [(r["id"], int(r["followers"])) for r in parsed] == expected and {r["email"] for r in parsed} == {""}

    lines = cli(neo4j_target, "cypher", FOLLOWER_QUERY, "--org", seeded.org.id, "--format", "jsonl").stdout
    assert [(r["id"], r["followers"]) for r in map(json.loads, lines.splitlines())] == expected

    report = cli(neo4j_target, "report", "most_followed_pages", "--org", seeded.org.id, "--format", "csv",
                 "--param", "limit=1")
    assert report.returncode == 0, report.stderr
    pages = Counter(t for _, t, kind, _ in FOLLOWS if kind == "page")
    top, n = ranked(pages, 1)[0]
    assert list(csv.DictReader(io.StringIO(report.stdout))) == [
        {"pageId": top, "name": PAGES[top], "followers": str(n), "followerCount": str(n)}]
    listing = cli(neo4j_target, "report", "--list")
    assert listing.returncode == 0 and all(name in listing.stdout for name in reports())


def test_cli_is_read_only_unless_told(org, driver, neo4j_target):
    marker = f"cli_{org.id}"
    refused = cli(neo4j_target, "cypher", "CREATE (:Person {org: $org, id: $id})", "--org", org.id,
                  "--param", f"id={marker}")
    assert refused.returncode == 1 and "read-only" in refused.stderr and refused.stdout == ""
    hidden = cli(neo4j_target, "cypher", "CALL () { CREATE (:Person {org: $org, id: 'cli_hidden'}) } RETURN 1",
                 "--org", org.id)
    assert hidden.returncode == 1
    assert count(driver, "MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN count(p)", org=org.id) == 0
    bad = cli(neo4j_target, "cypher", "MATCH (n RETURN n")
    assert bad.returncode == 1 and "Invalid input" in bad.stderr

    written = cli(neo4j_target, "cypher", "CREATE (p:Person {org: $org, id: $id}) RETURN p.id AS id", "--write",
                  "--org", org.id, "--param", f"id={marker}", "--format", "csv")
    assert written.returncode == 0, written.stderr
    assert written.stdout.splitlines() == ["id", marker] and "nodes_created" in written.stderr
    assert count(driver, "MATCH (p:Person {org: $org, id: $id}) RETURN count(p)", org=org.id, id=marker) == 1
