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

from .test_import import import_files, small_org


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
