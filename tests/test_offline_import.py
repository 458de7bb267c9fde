"""Offline bulk load (`graphsvc import --offline`, issue 17 item 1) against the transactional
import of the same files.

The offline load builds a whole database with neo4j-admin, so it runs on its OWN Neo4j
(`.neo4j/offline-test`, wiped at start and at the end): the shared `test` instance is
never stopped or replaced. The transactional import of the same files goes into a second
org of that same database, so both graphs are compared side by side through one API
server and `graphsvc check`.
"""

from __future__ import annotations

import pytest

from graphsvc.ops import check

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
    found = sorted(v.detail for v in violations)
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
