"""Every statement the service runs starts from an index: no label or type scans.

EXPLAIN plans each file under cypher/ (without running it) and walks the operator
tree. A file may read the whole graph on purpose (the integrity checker's all-orgs
mode) only if its header says so with a `// whole-graph: <why>` line; anything
else found here is a defect.
"""

from __future__ import annotations

import pytest

from graphsvc.db import S, apply_schema

SCANS = ("AllNodesScan", "NodeByLabelScan", "UnionNodeByLabelsScan", "IntersectionNodeByLabelsScan",
         "DirectedRelationshipTypeScan", "UndirectedRelationshipTypeScan", "DirectedAllRelationshipsScan",
         "UndirectedAllRelationshipsScan", "NodeIndexScan", "DirectedRelationshipIndexScan",
         "UndirectedRelationshipIndexScan")


def operators(plan) -> list[str]:
    out = [plan.get("operatorType", "").split("@")[0]]
    for child in plan.get("children", []):
        out += operators(child)
    return out


TEXTS = {st.name: st.text for st in S}
RUNNABLE = sorted(n for n in TEXTS if not n.startswith(("schema/", "health/")))


@pytest.fixture(scope="module")
def populated(driver) -> None:
    """A few thousand relationships of every type, so the planner costs the plans as it
    would on a real graph: on a nearly empty database it may rather scan a tiny
    relationship index than expand from the two people a statement has already found.
    The schema is applied first: this module starts no server, which would apply it."""
    apply_schema(driver)
    driver.execute_query("CALL db.awaitIndexes(300)")
    org = "org-plans-statistics"
    # Every accepted connection of a real store has its FRIEND (check/friend_edges), so these do
    # too, also in a test database populated before FRIEND existed.
    friends = ("MATCH (a:Person {org: $org})-[c:CONNECTED]->(b) WHERE c.status = 'accepted' "
               "AND NOT EXISTS { (a)-[:FRIEND]->(b) } CREATE (a)-[:FRIEND]->(b)")
    if not driver.execute_query("MATCH (p:Person {org: $org, id: 'p0'}) RETURN count(p) AS n",
                                org=org).records[0]["n"]:
        _populate(driver, org)
    driver.execute_query(friends, org=org)
    # Index statistics come from samples the server takes in the background: until one is
    # taken after these writes, the liveKey index looks empty and a plan may scan it. A real
    # graph's indexes are sampled, so the plans are costed after a resample.
    driver.execute_query("CALL db.prepareForReplanning(300)")


def _populate(driver, org: str) -> None:
    # Every active follow of a real store carries its audienceKey (cypher/schema/002_indexes), so
    # these do too: with an empty follows_audience index the planner may rather scan it.
    driver.execute_query(
        "UNWIND range(0, 999) AS i CREATE (:Person {org: $org, id: 'p' + i, key: randomUUID()})", org=org)
    driver.execute_query(
        "UNWIND range(0, 2999) AS i "
        "MATCH (a:Person {org: $org, id: 'p' + (i % 1000)}), (b:Person {org: $org, id: 'p' + ((i * 7 + 1) % 1000)}) "
        "WHERE a <> b "
        "CREATE (a)-[:CONNECTED {id: 'plans-' + i, org: $org, status: 'accepted', liveKey: 'plans-live-' + i, "
        "requestedAt: datetime(), imported: true}]->(b), "
        "(a)-[:FOLLOWS {since: datetime(), status: 'active', imported: true, "
        "audienceKey: $org + '|person|' + b.key + '|' + a.key}]->(b) "
        "FOREACH (_ IN CASE WHEN i % 10 = 0 THEN [1] ELSE [] END | CREATE (a)-[:BLOCKS {since: datetime()}]->(b), "
        "(a)-[:MUTES {since: datetime()}]->(b))", org=org)


@pytest.mark.parametrize("name", RUNNABLE)
def test_statement_starts_from_an_index(driver, populated, name):
    text = TEXTS[name]
    with driver.session() as session:
        summary = session.run("EXPLAIN " + text).consume()
    ops = operators(summary.plan)
    if "// whole-graph:" in text:
        # Only the integrity checker's all-orgs mode may read the whole graph.
        assert name.startswith("check/"), f"{name} claims whole-graph but is not part of `graphsvc check`"
        return
    scans = [op for op in ops if op in SCANS]
    assert not scans, f"{name} scans: {scans} (plan: {ops})"
