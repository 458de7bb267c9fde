"""Bulk import: what the transactional import must refuse or mark, and the offline load
(`graphsvc import --offline`, issue 17 item 1) against the transactional import of the
same files.

The offline load builds a whole database with neo4j-admin, so it runs on its OWN Neo4j
(`.neo4j/offline-test`, wiped at start and at the end): the shared `test` instance is
never stopped or replaced. The transactional import of the same files goes into the
shared instance under the same org name, so that derived connection ids agree, and the
two graphs are compared property by property, through the API (one server per
instance, the same tokens) and with `graphsvc check`.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
from neo4j import GraphDatabase

from graphsvc.db import schema_statements
from graphsvc.ops import check, localdb
from graphsvc.ops.offline import schema_plan

from .conftest import ROOT, Caller, Neo4jTarget, Server
from .test_import import import_files, run_cli, small_org, write_csv, write_jsonl


def test_check_is_clean_after_a_transactional_import(org, driver, neo4j_target, tmp_path):
    """An import writes no events (an operator's load, not members' changes), so the
    edges it creates have none: the checker must not count that against them."""
    folder = tmp_path / "in"
    small_org(folder)
    import_files(neo4j_target, org.id, folder, tmp_path)
    orgs, violations = check.run(driver, "neo4j", org.id)
    assert violations == [], check.report(orgs, violations)


def test_check_still_wants_events_for_edges_an_import_did_not_make(org, driver, neo4j_target, tmp_path):
    """The exemption is the import's mark only: an edge made behind the service's back, or
    an imported edge that contradicts a member's later event, is still a violation."""
    folder = tmp_path / "in"
    small_org(folder)
    import_files(neo4j_target, org.id, folder, tmp_path)
    # dave follows carol without any event and without the import's mark.
    driver.execute_query("MATCH (a:Person {org: $org, id: 'usr_dave'}), (b:Person {org: $org, id: 'usr_carol'}) "
                         "CREATE (a)-[:FOLLOWS {since: datetime(), status: 'active'}]->(b)", org=org.id)
    # bob unfollows alice through the API (follow.deleted), then the edge reappears marked imported.
    assert org.member("usr_bob").delete("/client/community/follow/usr_alice").status_code == 204
    driver.execute_query("MATCH (a:Person {org: $org, id: 'usr_bob'}), (b:Person {org: $org, id: 'usr_alice'}) "
                         "CREATE (a)-[:FOLLOWS {since: datetime(), status: 'active', imported: true}]->(b)",
                         org=org.id)
    orgs, violations = check.run(driver, "neo4j", org.id)
    found = sorted(v.detail for v in violations if v.check == "follow_events")
    assert len(found) == 2, check.report(orgs, violations)
    assert found[0].startswith("active edge usr_bob -FOLLOWS-> person usr_alice"), found
    assert found[1].startswith("active edge usr_dave -FOLLOWS-> person usr_carol"), found


@pytest.mark.parametrize("bad, message", [
    ({"createdAt": "2025-13-45T00:00:00Z"}, "people.jsonl: row 2: createdAt must be an ISO-8601 date-time"),
    ({"createdAt": "2025-01-02 03:04"}, "people.jsonl: row 2: createdAt must be an ISO-8601 date-time"),
    ({"email": "b\udc80@example.com"}, "people.jsonl: row 2: email is not valid Unicode text"),
    ({"email": "bob at example.com"}, "people.jsonl: row 2: email is not a valid email address"),
    ({"id": "usr b"}, "people.jsonl: row 2: id must be 1-128 letters, digits or _ - . :"),
])
def test_rows_neo4j_would_refuse_stop_the_import_before_anything_is_written(org, driver, neo4j_target, tmp_path,
                                                                            bad, message):
    """A date Neo4j cannot parse, or text no UTF-8 encoder takes, is a bad row with its file
    and row number found before anything is written (it was a refused batch halfway in);
    so is an id or email no API call could ever name."""
    write_jsonl(tmp_path / "people.jsonl", [{"id": "usr_a"}, {"id": "usr_b", **bad}])
    done = run_cli(neo4j_target, "import", str(tmp_path), "--org", org.id)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    n = driver.execute_query("MATCH (p:Person {org: $org, id: 'usr_a'}) RETURN count(p) AS n",
                             org=org.id).records[0]["n"]
    assert n == 0


def test_an_imported_email_is_the_one_members_use(org, driver, neo4j_target, tmp_path):
    """Emails are compared lower-cased everywhere (CONTRACT.md, Identifiers): an imported
    `Alice@Example.COM` is the person a follow of alice@example.com reaches."""
    write_csv(tmp_path / "people.csv", ["id", "email"], [["usr_alice", "Alice@Example.COM"], ["usr_bob", ""]])
    done = run_cli(neo4j_target, "import", str(tmp_path), "--org", org.id)
    assert done.returncode == 0, done.stderr
    r = org.member("usr_bob").post("/client/community/follow", {"following": "alice@example.com"})
    assert r.status_code == 201 and r.json()["following"]["id"] == "usr_alice", r.text
    orgs, violations = check.run(driver, "neo4j", org.id)
    assert violations == [], check.report(orgs, violations)



# ---- the offline load ----------------------------------------------------------------------------------------

INSTANCE = "offline-test"
# A small generated org in the default run; the 2,000 people under -m slow.
SIZES = [300, pytest.param(2000, marks=pytest.mark.slow)]


# The people edge_rows adds: five that load, and a hub with its 1,002 friends.
EDGE_PEOPLE = 5 + 1003


def edge_rows(folder: Path, org: str) -> None:
    """Rows that exercise every rule the load shares with the import statements: repeats,
    unknown and self references, a block over follows and connections, an explicit
    connection id given twice, times in every accepted form and none, and text that
    needs quoting or spans lines; and a hub past FRIEND_TOP's size. Explicit connection ids are
    global, hence the org in them."""
    folder.mkdir()
    write_jsonl(folder / "people.jsonl", [
        {"id": "e_ann", "email": "Ann@Example.com", "createdAt": "2025-01-02", "protected": "true"},
        {"id": "e_bo", "email": "ann@example.com", "createdAt": "2025-01-02T03:04"},  # email taken: none
        {"id": "e_cy", "key": "fixed-key-cy", "createdAt": "2025-01-02T03:04:05.123456789+02:00",
         "protected": "false"},
        {"id": "e_di", "createdAt": "2025-01-02T03:04:05+0200"},
        {"id": "e_ann", "email": "other@example.com"},  # repeat: the first wins
        {"id": "e_ed"},
    ])
    write_csv(folder / "pages.csv", ["id", "name", "createdAt"], [
        ["e_pg", 'Cats, "dogs"\nand more', ""], ["e_pg2", " spaced ", "2025-05-05T05:05:05Z"]])
    write_jsonl(folder / "blocks.jsonl", [
        {"blockerId": "e_ed", "blockedId": "e_di"}, {"blockerId": "e_ed", "blockedId": "e_di"},
        {"blockerId": "e_ed", "blockedId": "e_ed"}, {"blockerId": "e_ed", "blockedId": "nobody"},
    ])
    write_jsonl(folder / "follows.jsonl", [
        {"followerId": "e_bo", "followingId": "e_ann", "status": "pending", "since": "2025-02-02T00:00:00Z"},
        {"followerId": "e_cy", "followingId": "e_ann"},
        {"followerId": "e_cy", "followingId": "e_ann"},  # repeat
        {"followerId": "e_di", "followingId": "e_ed"}, {"followerId": "e_ed", "followingId": "e_di"},  # blocked
        {"followerId": "e_di", "followingId": "e_di"}, {"followerId": "nobody", "followingId": "e_ann"},
        {"followerId": "e_ann", "followingId": "e_pg", "followingType": "page"},
        {"followerId": "e_bo", "followingId": "e_pg", "followingType": "page"},
        {"followerId": "e_bo", "followingId": "pg_nothing", "followingType": "page"},
    ])
    write_jsonl(folder / "connections.jsonl", [
        {"id": f"con_{org}_1", "requesterId": "e_ann", "targetId": "e_bo", "status": "accepted",
         "message": 'Line one\nline "two", ünïcode', "context": {"via": "import", "n": [1, 2.5], "s": "é"},
         "requestedAt": "2025-03-01T00:00:00Z"},
        {"id": f"con_{org}_1", "requesterId": "e_ann", "targetId": "e_bo", "status": "pending"},  # same id and pair
        {"requesterId": "e_bo", "targetId": "e_ann", "status": "pending"},  # the pair is live already
        {"requesterId": "e_cy", "targetId": "e_ann", "status": "rejected", "requestedAt": "2025-03-03T00:00:00Z",
         "respondedAt": "2025-03-04T00:00:00Z"},
        {"requesterId": "e_cy", "targetId": "e_ann", "status": "pending"},
        {"requesterId": "e_ed", "targetId": "e_di", "status": "accepted"},  # blocked: removed
        {"requesterId": "e_di", "targetId": "e_cy", "status": "rejected"},
        {"requesterId": "e_di", "targetId": "e_di", "status": "accepted"},
    ])
    # A hub with more friends than FRIEND_TOP keeps: the load makes its kept ones too.
    write_csv(folder / "people.csv", ["id"], [["e_hub"]] + [[f"e_f{i:04d}"] for i in range(1002)])
    write_csv(folder / "connections.csv", ["requesterId", "targetId", "status"],
              [[f"e_f{i:04d}", "e_hub", "accepted"] for i in range(1002)])
    write_jsonl(folder / "posts.jsonl", [
        {"id": "e_p1", "authorId": "e_ann", "visibility": "connections"},
        {"id": "e_p2", "authorId": "e_ann", "visibility": "public", "pageId": "e_pg", "createdAt": "2025-06-06"},
        {"id": "e_p1", "authorId": "e_bo", "visibility": "public"},  # repeat
        {"id": "e_p3", "authorId": "nobody"}, {"id": "e_p4", "authorId": "e_bo", "pageId": "pg_nothing"},
    ])


# neo4j-admin and the offline instance live for a minute here: the JIT's first tier alone
# compiles what they run for a fraction of the CPU its second tier spends on a cold JVM.
SHORT_LIVED_JVM = {"JAVA_TOOL_OPTIONS": "-XX:TieredStopAtLevel=1"}


def offline_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "graphsvc", "import", "--offline", "--instance", INSTANCE,
                           "--quiet", *args], cwd=ROOT, env={**os.environ, **SHORT_LIVED_JVM},
                          capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def offline_db():
    for var, value in (("GRAPHSVC_OFFLINE_TEST_NEO4J_HEAP", "512m"),
                       ("GRAPHSVC_OFFLINE_TEST_NEO4J_PAGECACHE", "128m")):
        os.environ.setdefault(var, value)
    inst = localdb.instance(INSTANCE)
    localdb.reset(inst)
    try:
        yield inst
    finally:
        localdb.kill(inst)  # wiped next: a clean shutdown would only write what is deleted
        localdb.reset(inst)


@pytest.fixture(scope="module", params=SIZES)
def loaded(request, offline_db, neo4j_target, tmp_path_factory):
    """One org's files (generated, plus the edge rows) loaded offline into the instance,
    and imported transactionally into the shared one under the same org name. The
    second size replaces the first size's database."""
    people = request.param
    folder = tmp_path_factory.mktemp("offline")
    org = "org-" + uuid.uuid4().hex[:12]
    gen = subprocess.run([sys.executable, "-m", "graphsvc", "generate", "--people", str(people), "--no-import",
                          "--out", str(folder)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert gen.returncode == 0, gen.stderr
    edge_rows(folder / "edge", org)
    paths = [str(folder / str(people)), str(folder / "edge")]
    began = datetime.now(timezone.utc)
    replace = ["--replace"] if localdb.pid_of(offline_db) else []
    # Two instances, so the two loads run at once.
    with ThreadPoolExecutor(1) as pool:
        offline = pool.submit(offline_cli, "--org", org, *replace, *paths, "--summary-json", str(folder / "offline.json"))
        tx = run_cli(neo4j_target, "import", "--org", org, "--parallel", "1", *paths,
                     "--summary-json", str(folder / "tx.json"))
        off = offline.result()
    assert off.returncode == 0, off.stdout + off.stderr
    assert tx.returncode == 0, tx.stderr
    ended = datetime.now(timezone.utc)
    target = Neo4jTarget(offline_db.uri, "neo4j", offline_db.password, "local", offline_db)
    # The offline instance's API server starts while the first test compares the graphs; its
    # database timeout is raised because the reads compared through it run many at once on a
    # server that plans each statement for the first time.
    with ThreadPoolExecutor(1) as pool:
        server = pool.submit(Server, target, GRAPHSVC_DB_TIMEOUT="60")
        try:
            yield {"org": org, "people": people, "target": target, "folder": folder, "window": (began, ended),
                   "stdout": off.stdout, "server": server,
                   "offline": json.loads((folder / "offline.json").read_text()),
                   "tx": json.loads((folder / "tx.json").read_text())}
        finally:
            server.result().stop()


def _value(value, window):
    """Property values as comparable plain data; a time the load filled in ("now") as NOW."""
    if hasattr(value, "to_native"):
        native = value.to_native()
        if window[0] <= native <= window[1]:
            return "NOW"
        return value.iso_format()
    return value


def graph(driver, org: str, window) -> dict:
    """Every node and relationship of the org with its properties, keyed by what names it.
    Person keys are random per load, so `key`, `liveKey`, `audienceKey` and `followersKey`
    are left out but for whether they are set and the follower `followersKey` ends with
    (check proves each equals what its ends make)."""
    def props(p: dict, drop: tuple = ()) -> dict:
        return {k: _value(v, window) for k, v in p.items() if k not in drop}

    def q(text: str) -> list:
        return driver.execute_query(text, org=org).records

    out = {
        "people": {r["p"]["id"]: props(r["p"], ("key",)) for r in q("MATCH (p:Person {org: $org}) RETURN properties(p) AS p")},
        "pages": {r["p"]["id"]: props(r["p"]) for r in q("MATCH (p:Page {org: $org}) RETURN properties(p) AS p")},
        "posts": {r["p"]["id"]: props(r["p"]) for r in q("MATCH (p:Post {org: $org}) RETURN properties(p) AS p")},
    }
    rels = q("MATCH (a:Person {org: $org})-[r]->(b) RETURN type(r) AS t, a.id AS a, labels(b)[0] AS l, b.id AS b, "
             "properties(r) AS p UNION ALL "
             "MATCH (a:Post {org: $org})-[r]->(b) RETURN type(r) AS t, a.id AS a, labels(b)[0] AS l, b.id AS b, "
             "properties(r) AS p")
    out["relationships"] = sorted(
        (r["t"], r["a"], r["l"], r["b"], json.dumps(props(r["p"], ("liveKey", "audienceKey", "followersKey")),
                                                      sort_keys=True),
         r["p"].get("liveKey") is not None, r["p"].get("audienceKey") is not None,
         r["p"].get("followersKey") is not None, (r["p"].get("followersKey") or "").rsplit("|", 1)[-1])
        for r in rels)
    return out


def test_the_offline_load_is_the_transactional_import(loaded, driver):
    """Same files, same graph: every node and relationship with its properties, the same
    counts in both summaries, and `graphsvc check` clean on both."""
    org, window, people = loaded["org"], loaded["window"], loaded["people"]
    # All four reads at once: the offline instance plans each statement for the first time.
    with GraphDatabase.driver(loaded["target"].uri, auth=("neo4j", loaded["target"].password)) as offline, \
            ThreadPoolExecutor(4) as pool:
        off, tx = pool.submit(graph, offline, org, window), pool.submit(graph, driver, org, window)
        # the whole offline database: that org and nothing else
        off_check, tx_check = pool.submit(check.run, offline, "neo4j", None), pool.submit(check.run, driver, "neo4j", org)
        off, tx = off.result(), tx.result()
        orgs, violations = off_check.result()
        assert orgs == [org] and violations == [], check.report(orgs, violations)
    assert off["people"] == tx["people"]
    assert off["pages"] == tx["pages"]
    assert off["posts"] == tx["posts"]
    assert off["relationships"] == tx["relationships"]
    assert len(off["people"]) == people + EDGE_PEOPLE and len(off["relationships"]) > people * 15
    assert sum(r[0] == "FRIEND_TOP" and r[1] == "e_hub" for r in off["relationships"]) == 1001
    orgs, violations = tx_check.result()
    assert violations == [], check.report(orgs, violations)

    fields = ("kind", "rows", "written", "skipped", "nodes", "relationships", "deleted")
    kinds = {k["kind"]: {f: k[f] for f in fields} for k in loaded["tx"]["kinds"]
             if k["kind"] not in ("pageCounts", "friendTops")}
    assert {k["kind"]: {f: k[f] for f in fields} for k in loaded["offline"]["kinds"]} == kinds

    # What the edge rows were for, seen in the loaded graph.
    ann, pg = off["people"]["e_ann"], off["pages"]["e_pg"]
    assert ann["email"] == "ann@example.com" and "email" not in off["people"]["e_bo"] and ann["protected"] is True
    assert pg["name"] == 'Cats, "dogs"\nand more' and pg["followerCount"] == 2 and pg["createdAt"] == "NOW"
    assert off["pages"]["e_pg2"]["name"] == " spaced "
    assert off["people"]["e_cy"]["createdAt"] == "2025-01-02T03:04:05.123456789+02:00"
    edges = {(t, a, b): (json.loads(p), live) for t, a, _, b, p, live, *_ in off["relationships"]}
    audience = {(a, b): keyed for t, a, _, b, _, _, keyed, *_ in off["relationships"] if t == "FOLLOWS"}
    assert audience[("e_bo", "e_ann")] is False and audience[("e_ann", "e_pg")] is True  # pending: no key
    ranked = {(a, b): (keyed, by) for t, a, _, b, _, _, _, keyed, by in off["relationships"] if t == "FOLLOWS"}
    assert ranked[("e_bo", "e_ann")] == (True, "e_bo") and ranked[("e_ann", "e_pg")][0] is False  # pages: none
    accepted, _ = edges[("CONNECTED", "e_ann", "e_bo")]
    assert accepted["message"] == 'Line one\nline "two", ünïcode' and json.loads(accepted["context"])["s"] == "é"
    assert not any({a, b} == {"e_ed", "e_di"} and t != "BLOCKS" for t, a, b in edges)
    assert edges[("FOLLOWS", "e_bo", "e_ann")][0]["status"] == "pending"


def test_the_busiest_peoples_friends_lie_side_by_side_in_the_store(loaded):
    """The load writes each FRIEND beside the other FRIENDs of its busier end, and
    neo4j-admin numbers relationships in the order it reads them: for each of the five
    busiest people of the generated org, the FRIENDs to people with fewer friends (all of
    them theirs) fall within as many consecutive relationship ids as they own."""
    target = loaded["target"]
    with GraphDatabase.driver(target.uri, auth=(target.user, target.password)) as drv:
        rows = drv.execute_query(
            "MATCH (p:Person) WHERE p.org = $org AND p.id STARTS WITH 'usr_' "
            "WITH p, COUNT { (p)-[:FRIEND]-() } AS d ORDER BY d DESC, p.id LIMIT 5 "
            "MATCH (p)-[f:FRIEND]-(o) WITH p, d, f, COUNT { (o)-[:FRIEND]-() } AS od "
            "RETURN p.id AS id, d, collect(CASE WHEN od < d THEN id(f) END) AS fewer, "
            "count(CASE WHEN od <= d THEN 1 END) AS owned",
            org=loaded["org"]).records
    assert len(rows) == 5 and rows[0]["d"] >= 20, [(r["id"], r["d"]) for r in rows]
    for r in rows:
        ids = r["fewer"]
        assert ids and max(ids) - min(ids) < r["owned"], (r["id"], r["d"], len(ids), max(ids) - min(ids))


ISO = re.compile(r"\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:\d{2})")


def comparable(body, window):
    """An answer without what two equal graphs may answer differently: which of several
    shortest paths a degree query walks (it follows the store's order), and the times
    each load filled in for rows without one (NOW)."""
    if isinstance(body, dict):
        if "degree" in body and body.get("path"):
            body = {**body, "path": [body["path"][0], len(body["path"]), body["path"][-1]]}
        return {k: comparable(v, window) for k, v in body.items()}
    if isinstance(body, list):
        return [comparable(v, window) for v in body]
    if isinstance(body, str) and ISO.fullmatch(body):
        return "NOW" if window[0] <= datetime.fromisoformat(body) <= window[1] else body
    return body


def test_the_offline_graph_answers_as_the_imported_one(loaded, http):
    """Sampled reads through the API, one server per instance, the same tokens."""
    org, size, window = loaded["org"], loaded["people"], loaded["window"]
    manifest = json.loads((loaded["folder"] / str(size) / "manifest.json").read_text())
    rng = random.Random(7)
    # Two hubs, the edge-row people and two others: every read of each, on both instances.
    people = [f"usr_{i:07d}" for i in rng.sample(range(size), 2)] + manifest["hubs"][:2] + ["e_ann", "e_cy"]
    posts = [f"post_{i:08d}" for i in rng.sample(range(2 * size), 200)] + ["e_p1", "e_p2"]
    reads = []
    for i, me in enumerate(people):
        other = people[(i + 1) % len(people)]
        reads += [(me, "/client/community/follow/stats"), (me, "/client/community/followers?limit=100"),
                  (me, "/client/community/following?limit=100"), (me, "/client/community/connections?limit=100"),
                  (me, "/client/community/connections/pending"), (me, "/client/community/connections/sent"),
                  (me, "/client/community/connections/stats"), (me, f"/client/community/connections/status/{other}"),
                  (me, f"/client/community/connections/mutual/{other}?limit=100"),
                  (me, f"/client/community/degree/{other}"), (me, "/client/community/suggestions"),
                  (me, f"/client/community/relationships?ids={other},{people[(i + 2) % len(people)]}")]
    # The same reads, many at once: the offline instance plans each statement for the first time.
    with httpx.Client(base_url=loaded["server"].result().url, timeout=90) as offline_http, \
            ThreadPoolExecutor(8) as pool:
        def both(method: str, me: str, role: str, path: str, body=None) -> tuple:
            return tuple(Caller(client, org, me, role).request(method, path, json=body)
                         for client in (offline_http, http))

        answers = pool.map(lambda read: both("GET", read[0], "customer", read[1]), reads)
        for (me, path), (a, b) in zip(reads, answers):
            assert (a.status_code, comparable(a.json(), window)) == (b.status_code, comparable(b.json(), window)), \
                (me, path)
        checks = pool.map(lambda viewer: both("POST", "svc", "service", "/community/visibility",
                                              {"viewerId": viewer, "postIds": posts}), people)
        for viewer, (a, b) in zip(people, checks):
            assert a.status_code == 200 and a.json() == b.json(), viewer
        page = manifest["bigPages"][0]
        a, b = both("GET", "staff_1", "staff", f"/community/pages/{page}")
        assert a.json()["followerCount"] == b.json()["followerCount"] > size // 2


def test_the_check_command_is_clean_and_quiet_on_the_loaded_database(loaded):
    """`graphsvc check` as an operator runs it after a bulk load: exit 0, and nothing on
    stderr. A loaded store has no events, so the event checks name property keys the
    database has never seen, which Neo4j answers with a warning per key unless the
    checker's driver asks for none."""
    from .test_faults import graphsvc_check

    run = graphsvc_check(loaded["target"], "--org", loaded["org"])
    assert run.returncode == 0 and "OK: every invariant holds" in run.stdout, run.stdout + run.stderr
    assert run.stderr == "", run.stderr[:2000]


def test_every_schema_rule_is_online_after_the_load(loaded):
    """The load makes the schema in its own order (offline.schema_plan): every constraint
    and index of cypher/schema exists on the loaded database, each online."""
    target = loaded["target"]
    names = set(re.findall(r"CREATE (?:RANGE )?(?:INDEX|CONSTRAINT) (\w+)", "\n".join(schema_statements())))
    with GraphDatabase.driver(target.uri, auth=(target.user, target.password)) as drv:
        records = drv.execute_query("SHOW INDEXES YIELD name, state, owningConstraint").records
        constraints = {r["name"] for r in drv.execute_query("SHOW CONSTRAINTS YIELD name").records}
    states = {r["owningConstraint"] or r["name"]: r["state"] for r in records}
    assert names <= set(states) | constraints, names - set(states) - constraints
    assert all(states[name] == "ONLINE" for name in names), {n: states[n] for n in names}


def test_the_schema_plan_deals_the_longest_jobs_first_and_keeps_a_label_s_constraints_together():
    statements = schema_statements()
    sizes = {"CONNECTED": 10_900_000, "FOLLOWS": 9_000_000, "Person": 1_000_000, "Post": 2_000_000,
             "Page": 25_000}
    plan = schema_plan(statements, sizes, 2)
    assert len(plan) == 2
    assert sorted(s for lane in plan for s in lane) == sorted(statements)
    def target(statement: str) -> str:
        return re.search(r"FOR \(\)?-?\[?\w*:(\w+)", statement).group(1)

    constraints = [s for s in statements if "CONSTRAINT" in s]
    for name in {target(s) for s in constraints}:
        on = [s for s in constraints if target(s) == name]
        holding = [lane for lane in plan if on[0] in lane]
        assert [s for s in holding[0] if s in on] == on, name  # one lane, file order
    # The two CONNECTED constraints (21.8 M relationships read, one after the other) lead
    # one lane; the two FOLLOWS indexes (9 M each, one after the other) lead the other.
    first = {re.search(r"(?:INDEX|CONSTRAINT) (\w+)", lane[0]).group(1) for lane in plan}
    assert first == {"connection_id", "follows_audience"} or first == {"connection_id", "follows_followers"}
    connected = next(lane for lane in plan if "connection_id" in lane[0])
    assert "connection_live" in connected[1]
    assert len(schema_plan(statements, sizes, 1)) == 1
    # Without sizes (or for empty labels) the jobs are spread, not stacked in one lane.
    unsized = schema_plan(statements, {}, 4)
    assert len(unsized) == 4 and max(map(len, unsized)) - min(map(len, unsized)) <= 2, unsized


def test_progress_and_the_summary_say_relationships_per_second(loaded):
    summary = loaded["offline"]
    assert summary["relationships"] > loaded["people"] * 15 and summary["relationshipsPerSecond"] > 0
    assert set(summary["stages"]) == {"convert", "admin", "restart", "schema", "tops"}
    assert "relationships/s in neo4j-admin" in loaded["stdout"]


def test_a_database_holding_data_is_refused_without_replace(loaded, tmp_path):
    """Nothing is stopped or replaced: the instance keeps running with its graph."""
    inst = loaded["target"].instance
    pid = localdb.pid_of(inst)
    write_csv(tmp_path / "people.csv", ["id"], [["usr_new"]])
    done = offline_cli("--org", "org-other", str(tmp_path))
    assert done.returncode == 2 and "holds data" in done.stderr and "--replace" in done.stderr, done.stderr
    assert localdb.pid_of(inst) == pid
    with GraphDatabase.driver(inst.uri, auth=("neo4j", inst.password)) as d:
        assert d.execute_query("MATCH (p:Person {org: $org}) RETURN count(p) AS n",
                               org=loaded["org"]).records[0]["n"] == loaded["people"] + EDGE_PEOPLE


def test_a_bad_row_stops_the_offline_load_before_the_instance_is_touched(loaded, tmp_path):
    inst = loaded["target"].instance
    pid = localdb.pid_of(inst)
    write_csv(tmp_path / "people.csv", ["id"], [["usr_a"]])
    write_jsonl(tmp_path / "connections.jsonl", [{"requesterId": "usr_a", "targetId": "usr_b", "status": "maybe"}])
    done = offline_cli("--replace", "--org", "org-other", str(tmp_path))
    assert done.returncode == 2, done.stderr
    assert "connections.jsonl: row 1: status must be one of" in done.stderr, done.stderr
    assert localdb.pid_of(inst) == pid and not (inst.home / "offline").exists()


@pytest.mark.slow
def test_a_failed_build_leaves_the_database_as_it_was(loaded, tmp_path):
    """neo4j-admin fails after the instance was stopped and its store moved aside (here: an
    input file it cannot open): the old store is put back and started, nothing half built."""
    inst = loaded["target"].instance
    write_csv(tmp_path / "people.csv", ["id"], [["usr_new"]])
    done = offline_cli("--replace", "--org", "org-other", str(tmp_path),
                       f"--admin-arg=--nodes=Person={tmp_path / 'missing.csv'}")
    assert done.returncode == 2 and "neo4j-admin import failed" in done.stderr, done.stdout + done.stderr
    assert "the database is as it was" in done.stderr
    assert localdb.pid_of(inst) is not None and not (inst.home / "offline-previous").exists()
    with GraphDatabase.driver(inst.uri, auth=("neo4j", inst.password)) as d:
        counts = d.execute_query("MATCH (p:Person) RETURN p.org AS org, count(p) AS n").records
    assert [(r["org"], r["n"]) for r in counts] == [(loaded["org"], loaded["people"] + EDGE_PEOPLE)]
