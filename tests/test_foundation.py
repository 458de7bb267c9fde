"""The foundation: schema, constraints, health, errors, and the local Neo4j."""

from __future__ import annotations

import uuid

import pytest
from neo4j.exceptions import ConstraintError

from graphsvc.db import S, schema_statements

from .conftest import assert_error


def test_schema_applies_twice(driver):
    for _ in range(2):
        for statement in schema_statements():
            driver.execute_query(statement)
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
