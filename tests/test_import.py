"""Bulk import (`graphsvc import`, `graphsvc generate`) through the real command line, checked
through the HTTP API and the database."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from .conftest import ROOT, assert_error


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def run_cli(neo4j_target, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NEO4J_URI": neo4j_target.uri, "NEO4J_USER": neo4j_target.user,
           "NEO4J_PASSWORD": neo4j_target.password}
    return subprocess.run([sys.executable, "-m", "graphsvc", *args, "--quiet"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def import_files(neo4j_target, org: str, folder: Path, tmp_path: Path, name: str = "summary.json") -> dict:
    out = tmp_path / name
    done = run_cli(neo4j_target, "import", str(folder), "--org", org, "--summary-json", str(out),
                   "--batch-size", "3")  # tiny batches: several per kind, in parallel
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text())


def small_org(folder: Path) -> None:
    """CSV for some kinds, JSON Lines for the others."""
    folder.mkdir()
    write_csv(folder / "people.csv", ["id", "email", "createdAt"], [
        ["usr_alice", "alice@example.com", "2025-01-02T03:04:05Z"], ["usr_bob", "", ""], ["usr_carol", "", ""],
        ["usr_dave", "", ""], ["usr_erin", "", ""],
    ])
    write_jsonl(folder / "pages.jsonl", [{"id": "pg_news", "name": "News"}, {"id": "pg_cats", "name": "Cats"}])
    write_csv(folder / "follows.csv", ["followerId", "followingId", "followingType", "since"], [
        ["usr_bob", "usr_alice", "person", "2025-02-01T00:00:00Z"], ["usr_carol", "usr_alice", "person", ""],
        ["usr_erin", "usr_alice", "person", ""],  # erin then blocks alice: this follow goes
        ["usr_bob", "usr_alice", "person", ""],  # a repeat: one edge
        ["usr_bob", "pg_news", "page", ""], ["usr_carol", "pg_news", "page", ""],
        ["usr_dave", "pg_news", "page", ""], ["usr_dave", "pg_cats", "page", ""],
        ["usr_nobody", "pg_cats", "page", ""],  # unknown person: skipped
    ])
    write_jsonl(folder / "connections.jsonl", [
        {"requesterId": "usr_alice", "targetId": "usr_bob", "status": "accepted",
         "requestedAt": "2025-03-01T00:00:00Z", "respondedAt": "2025-03-02T00:00:00Z"},
        {"requesterId": "usr_carol", "targetId": "usr_alice", "status": "accepted", "context": {"via": "import"}},
        {"requesterId": "usr_bob", "targetId": "usr_carol", "status": "accepted"},
        {"requesterId": "usr_dave", "targetId": "usr_alice", "status": "pending", "message": "Hi Alice"},
        {"requesterId": "usr_bob", "targetId": "usr_alice", "status": "pending"},  # pair already live: skipped
        {"requesterId": "usr_erin", "targetId": "usr_bob", "status": "rejected"},
    ])
    write_csv(folder / "blocks.csv", ["blockerId", "blockedId", "since"], [["usr_erin", "usr_alice", ""]])
    write_jsonl(folder / "posts.jsonl", [
        {"id": "p_conn", "authorId": "usr_alice", "visibility": "connections"},
        {"id": "p_foll", "authorId": "usr_alice", "visibility": "followers"},
        {"id": "p_priv", "authorId": "usr_alice", "visibility": "private"},
        {"id": "p_page", "authorId": "usr_alice", "visibility": "public", "pageId": "pg_news"},
    ])


def verdicts(org, viewer: str) -> dict:
    r = org.service().post("/community/visibility",
                           {"viewerId": viewer, "postIds": ["p_conn", "p_foll", "p_priv", "p_page"]})
    assert r.status_code == 200, r.text
    return {v["postId"]: v["visible"] for v in r.json()["results"]}


def test_import_csv_and_jsonl_then_rerun_changes_nothing(org, driver, neo4j_target, tmp_path):
    folder = tmp_path / "in"
    small_org(folder)
    first = import_files(neo4j_target, org.id, folder, tmp_path)
    kinds = {k["kind"]: k for k in first["kinds"]}
    assert kinds["people"]["nodes"] == 5 and kinds["posts"]["nodes"] == 4
    assert kinds["follows"]["rows"] == 9 and kinds["follows"]["written"] == 7 and kinds["follows"]["skipped"] == 2
    assert kinds["connections"]["relationships"] == 5 + 3  # and a FRIEND per accepted connection
    assert kinds["blocks"]["relationships"] == 1 and kinds["blocks"]["deleted"] == 1  # erin's follow of alice
    assert all(isinstance(k["retries"], int) and k["retries"] >= 0 for k in first["kinds"])

    again = import_files(neo4j_target, org.id, folder, tmp_path, "again.json")
    assert again["changes"] == 0 and again["relationshipsCreated"] == 0, again

    staff = org.staff()
    assert staff.get("/community/pages/pg_news").json()["followerCount"] == 3
    assert staff.get("/community/pages/pg_cats").json()["followerCount"] == 1
    alice, bob, dave = org.member("usr_alice"), org.member("usr_bob"), org.member("usr_dave")
    assert alice.get("/client/community/follow/stats").json()["followers"] == 2
    assert alice.get("/client/community/connections/count").json() == {"count": 2}
    mutual = alice.get("/client/community/connections/mutual/usr_bob").json()
    assert [m["id"] for m in mutual["data"]] == ["usr_carol"] and mutual["pagination"]["total"] == 1
    assert org.member("usr_erin").get("/client/community/connections/status/usr_bob").json()["status"] == "rejected"

    assert verdicts(org, "usr_carol") == {"p_conn": True, "p_foll": True, "p_priv": False, "p_page": True}
    assert verdicts(org, "usr_dave") == {"p_conn": False, "p_foll": False, "p_priv": False, "p_page": True}
    assert verdicts(org, "usr_erin") == {"p_conn": False, "p_foll": False, "p_priv": False, "p_page": False}

    # The imported graph is the API's graph: the imported request is answered through it,
    # and counters stay exact when the API and another import add to them.
    pending = alice.get("/client/community/connections/pending").json()["data"]
    assert [(p["requesterId"], p["message"]) for p in pending] == [("usr_dave", "Hi Alice")]
    r = alice.put(f"/client/community/connections/{pending[0]['id']}/respond", {"action": "accept"})
    assert r.status_code == 200 and r.json()["status"] == "accepted", r.text
    assert_error(dave.post("/client/community/connections/request", {"targetId": "usr_alice"}), 409)
    assert bob.post("/client/community/follow", {"following": "pg_cats", "followingType": "page"}).status_code == 201
    import_files(neo4j_target, org.id, folder, tmp_path, "third.json")
    assert staff.get("/community/pages/pg_cats").json()["followerCount"] == 2

    bad = driver.execute_query(
        "MATCH (a:Person {org: $org})-[c:CONNECTED]->(b:Person) "
        "WITH c, CASE WHEN a.key < b.key THEN a.key + ':' + b.key ELSE b.key + ':' + a.key END AS key "
        "WHERE (c.status IN ['pending', 'accepted']) <> (c.liveKey = key) OR c.status = 'rejected' "
        "AND c.liveKey IS NOT NULL RETURN count(*) AS n", org=org.id).records[0]["n"]
    assert bad == 0


def test_a_bad_row_stops_the_import_before_anything_is_written(org, driver, neo4j_target, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    write_csv(folder / "people.csv", ["id"], [["usr_a"], ["usr_b"]])
    write_jsonl(folder / "posts.jsonl", [{"id": "p1", "authorId": "usr_a", "visibility": "everyone"}])
    done = run_cli(neo4j_target, "import", str(folder), "--org", org.id)
    assert done.returncode == 2 and "posts.jsonl: row 1: visibility" in done.stderr, done.stderr
    n = driver.execute_query("MATCH (p:Person {org: $org, id: 'usr_a'}) RETURN count(p) AS n",
                             org=org.id).records[0]["n"]
    assert n == 0


def test_generated_org_counters_are_exact(org, driver, neo4j_target, tmp_path):
    done = run_cli(neo4j_target, "generate", "--people", "300", "--org", org.id, "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "300" / "manifest.json").read_text())
    counts = driver.execute_query(
        "MATCH (p:Person {org: $org}) RETURN count(p) AS people, "
        "sum(COUNT { (p)-[c:CONNECTED]->() WHERE c.status = 'accepted' }) AS accepted", org=org.id).records[0]
    assert counts["people"] == 300 and counts["accepted"] > 300 * 5
    wrong = driver.execute_query(
        "MATCH (pg:Page {org: $org}) WHERE pg.followerCount <> COUNT { (pg)<-[:FOLLOWS]-() } RETURN count(*) AS n",
        org=org.id).records[0]["n"]
    assert wrong == 0
    hub = manifest["hubs"][0]
    degree = org.member(hub).get("/client/community/connections/count").json()["count"]
    assert degree >= 0.1 * 300  # a hub: connected to ~12% of everyone on top of its own links
    # Same seed, same files.
    again = run_cli(neo4j_target, "generate", "--people", "300", "--no-import", "--org", org.id,
                    "--out", str(tmp_path / "again"))
    assert again.returncode == 0
    for name in ("people.csv", "connections.csv", "follows.csv", "posts.csv"):
        assert (tmp_path / "300" / name).read_bytes() == (tmp_path / "again" / "300" / name).read_bytes()


def test_generated_twin_hubs_have_the_asked_degree_and_mutuals(org, neo4j_target, tmp_path):
    """--hub-degree fixes hub size whatever the graph size; the twins share half of it
    (the pair bench/scale.py compares across graph sizes)."""
    # 600 people: two hubs picking 200 each at random would share ~67, twins share 100.
    done = run_cli(neo4j_target, "generate", "--people", "600", "--hub-degree", "200", "--org", org.id,
                   "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    a, b = json.loads((tmp_path / "600" / "manifest.json").read_text())["twinHubs"]
    for hub in (a, b):
        count = org.member(hub).get("/client/community/connections/count").json()["count"]
        assert 200 <= count < 200 + 60, count  # the hub links plus its few organic ones
    mutual = org.member(a).get(f"/client/community/connections/mutual/{b}", params={"limit": 100})
    assert mutual.status_code == 200
    total = mutual.json()["pagination"]["total"]
    assert 100 <= total < 100 + 30, total
    too_big = run_cli(neo4j_target, "generate", "--people", "600", "--hub-degree", "401", "--no-import",
                      "--org", org.id, "--out", str(tmp_path / "big"))
    assert too_big.returncode == 2 and "hub_degree" in too_big.stderr


def test_import_protected_people_and_pending_follows(org, neo4j_target, tmp_path):
    """A protected person and a pending request come in through the importer as the API makes them."""
    write_csv(tmp_path / "people.csv", ["id", "protected"], [["usr_p", "true"], ["usr_q", ""], ["usr_r", "false"]])
    write_csv(tmp_path / "follows.csv", ["followerId", "followingId", "status"],
              [["usr_q", "usr_p", "pending"], ["usr_r", "usr_p", ""]])
    result = run_cli(neo4j_target, "import", "--org", org.id, str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    p = org.member("usr_p")
    assert p.get("/client/community/settings").json() == {"protected": True}
    assert [f["id"] for f in p.get("/client/community/followers").json()["data"]] == ["usr_r"]
    assert [r["user"]["id"] for r in p.get("/client/community/follow-requests").json()["data"]] == ["usr_q"]
    write_csv(tmp_path / "follows.csv", ["followerId", "followingId", "status"], [["usr_q", "usr_p", "maybe"]])
    bad = run_cli(neo4j_target, "import", "--org", org.id, str(tmp_path))
    assert bad.returncode == 2 and "status must be active or pending" in bad.stdout + bad.stderr


@pytest.mark.parametrize("org", ["a|person|x", "org with space", "", "x" * 129])
def test_an_org_name_the_api_would_refuse_is_refused_by_the_import(neo4j_target, driver, tmp_path, org):
    """The org is part of stored keys (audienceKey starts `<org>|`): a name with `|` could
    make one tenant's follows fall inside another's index range. The import accepts exactly
    the org names a token may carry, and writes nothing otherwise."""
    person = "usr_" + uuid.uuid4().hex[:12]
    (tmp_path / "people.csv").write_text(f"id,email\n{person},\n")
    r = run_cli(neo4j_target, "import", "--org", org, str(tmp_path / "people.csv"))
    assert r.returncode == 2 and "--org" in r.stderr, r.stderr
    n = driver.execute_query("MATCH (p:Person {org: $org, id: $id}) RETURN count(p) AS n",
                             org=org, id=person).records[0]["n"]
    assert n == 0
