"""The foundation: schema, constraints, health, errors, and the local Neo4j."""

from __future__ import annotations

import threading
import uuid

import pytest
from neo4j.exceptions import ClientError, ConstraintError

from graphsvc.db import S, apply_schema

from .conftest import assert_error


def test_schema_applies_twice(driver):
    for _ in range(2):
        apply_schema(driver)
    names = {r["name"] for r in driver.execute_query("SHOW CONSTRAINTS YIELD name").records}
    assert {"person_id", "person_email", "page_id", "post_id", "connection_live"} <= names


def test_person_unique_per_org_not_across(driver):
    pid = "usr_" + uuid.uuid4().hex[:8]
    org_a, org_b = "org-" + uuid.uuid4().hex[:8], "org-" + uuid.uuid4().hex[:8]
    driver.execute_query("CREATE (:Person {org: $org, id: $id})", org=org_a, id=pid)
    driver.execute_query("CREATE (:Person {org: $org, id: $id})", org=org_b, id=pid)  # another tenant: fine
    with pytest.raises(ConstraintError):
        driver.execute_query("CREATE (:Person {org: $org, id: $id})", org=org_a, id=pid)
    with pytest.raises(ConstraintError):
        driver.execute_query("CREATE (:Person {org: $org, email: 'a@x.io'}), (:Person {org: $org, email: 'a@x.io'})",
                             org=org_a)
    count = driver.execute_query("MATCH (p:Person {org: $org, id: $id}) RETURN count(p) AS n", org=org_a, id=pid)
    assert count.records[0]["n"] == 1


def test_health_and_ready(http):
    assert http.get("/healthz").json() == {"status": "ok"}
    ready = http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_errors_are_json(http, org):
    assert_error(http.get("/no/such/route"), 404, "not_found")
    assert_error(http.get("/client/community/followers"), 401, "unauthorized")
    alice = org.member("usr_alice")
    assert_error(alice.post("/client/community/follow", content=b"{not json",
                            headers={"content-type": "application/json"}), 400, "invalid_json")
    assert_error(alice.post("/client/community/follow", json={"following": "x" * 300}), 400, "validation_error")
    assert_error(alice.request("PATCH", "/client/community/follow"), 405)


def test_cypher_is_never_built_from_input():
    """Every statement is a file; code passes parameters. Statements may not contain
    Python format placeholders, and the loader only reads files."""
    assert list(S), "no cypher files found"
    for st in S:
        assert "{}" not in st.text and "%s" not in st.text, st.name
        assert st.text.strip(), st.name


def test_metrics_count_requests(http, org):
    org.member("usr_m").get("/client/community/follow/stats")
    text = http.get("/metrics").text
    assert 'graphsvc_requests_total{method="GET",route="/client/community/follow/stats",status="200"}' in text


def test_schema_applied_by_racing_processes(driver):
    """Two API replicas (or two test workers) starting at once apply the schema together.
    `IF NOT EXISTS` is checked as each statement starts, so both can pass it and the
    second then meets EquivalentSchemaRuleAlreadyExists; the schema it asked for exists,
    so that is success. Throwaway indexes, so the race is real on every run."""
    tag = uuid.uuid4().hex[:8]
    statements = [f"CREATE INDEX race_probe_{tag}_{i} IF NOT EXISTS FOR (n:RaceProbe_{tag}) ON (n.p{i})"
                  for i in range(4)]
    start, errors = threading.Barrier(6), []

    def replica() -> None:
        start.wait()
        try:
            apply_schema(driver, statements=statements)
        except Exception as exc:  # collected: a thread's exception would otherwise vanish
            errors.append(exc)

    try:
        threads = [threading.Thread(target=replica) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        names = {r["name"] for r in driver.execute_query("SHOW INDEXES YIELD name").records}
        assert {f"race_probe_{tag}_{i}" for i in range(4)} <= names
    finally:
        for i in range(4):
            driver.execute_query(f"DROP INDEX race_probe_{tag}_{i} IF EXISTS")


def test_schema_conflict_still_fails(driver):
    """Only the equivalent rule is forgiven: a different index under a taken name is an error."""
    tag = uuid.uuid4().hex[:8]
    driver.execute_query(f"CREATE INDEX conflict_{tag} FOR (n:RaceProbe) ON (n.a)")
    try:
        with pytest.raises(ClientError):
            apply_schema(driver, statements=[f"CREATE INDEX conflict_{tag} FOR (n:RaceProbe) ON (n.b)"])
    finally:
        driver.execute_query(f"DROP INDEX conflict_{tag} IF EXISTS")
