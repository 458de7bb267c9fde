"""Every statement the service runs starts from an index: no label or type scans.

EXPLAIN plans each file under cypher/ (without running it) and walks the operator
tree. A file may read the whole graph on purpose (the integrity checker's all-orgs
mode) only if its header says so with a `// whole-graph: <why>` line; anything
else found here is a defect.
"""

from __future__ import annotations

import pytest

from graphsvc.db import S

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


@pytest.mark.parametrize("name", RUNNABLE)
def test_statement_starts_from_an_index(driver, name):
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
