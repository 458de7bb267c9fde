"""Suggestions' cost by the kind of member asking, on two loaded graphs (docs/performance.md,
"Suggestions on 100k and 1M people, member by member").

A member's suggestions cost follows their friends' sizes: a friend with more than
`FANOUT` friends has every one of their keys read to keep the smallest (the cap's order),
so a member with such a friend pays for thousands of keys and one without does not. The
median over random members then depends on how many members of a graph have such a
friend, which is a property of the data, not of the store's size. This samples members
of each graph, puts each in a class by their friends above the cap (0, 1, 2 or more)
and times the raw statement for each, the graphs interleaved, so that members of the
same class can be compared across graphs. Prints a table, writes a JSON. Not a test.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import neo4j  # noqa: E402
from graphsvc.db import S  # noqa: E402
from graphsvc.domain.graph import FANOUT, MAX_FRIENDS  # noqa: E402
from graphsvc.ops import localdb  # noqa: E402
from results import save  # noqa: E402

# Setup only (not timed): how many of a member's friends are above the fanout cap.
CLASS = ("MATCH (p:Person {org: $org, id: $id}) "
         "RETURN COUNT { (p)-[:FRIEND]-(f) WHERE COUNT { (f)-[:FRIEND]-() } > $fanout } AS big")


def classify(driver: neo4j.Driver, org: str, member: str) -> int:
    return driver.execute_query(CLASS, org=org, id=member, fanout=FANOUT, database_="neo4j").records[0]["big"]


def suggest(driver: neo4j.Driver, org: str, member: str) -> None:
    """The service's statement with its caps, as an auto-commit query (Database.query)."""
    with driver.session(database="neo4j", default_access_mode=neo4j.READ_ACCESS) as session:
        S.graph.suggestions.run(session, org=org, meId=member, meEmail=None, skip=0, limit=21, after=None,
                                maxFriends=MAX_FRIENDS, fanout=FANOUT).consume()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--instance", action="append", required=True, help="a loaded instance (give two)")
    p.add_argument("--people", type=int, action="append", required=True,
                   help="people in each instance's org, in --instance order")
    p.add_argument("--org", default="bench")
    p.add_argument("--members", type=int, default=150, help="sampled members per graph")
    p.add_argument("--rounds", type=int, default=3, help="timings per member; the fastest counts")
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--out", type=Path, default=ROOT / "bench-results")
    args = p.parse_args()
    if len(args.instance) != len(args.people):
        p.error("give --people once per --instance")
    rng = random.Random(args.seed)
    graphs = {}
    for name, people in zip(args.instance, args.people):
        inst = localdb.instance(name)
        driver = neo4j.GraphDatabase.driver(inst.uri, auth=("neo4j", inst.password),
                                            notifications_min_severity="OFF")
        members = [f"usr_{i:07d}" for i in rng.sample(range(people), args.members)]
        big = {m: classify(driver, args.org, m) for m in members}
        graphs[name] = {"driver": driver, "members": members, "big": big, "ms": {m: [] for m in members}}
        for m in members[:30]:  # warm-up
            suggest(driver, args.org, m)
    try:
        for r in range(args.rounds):
            print(f"round {r + 1} of {args.rounds}", file=sys.stderr)
            for i in range(args.members):
                for name in rng.sample(list(graphs), len(graphs)):
                    g = graphs[name]
                    member = g["members"][i]
                    t0 = time.perf_counter()
                    suggest(g["driver"], args.org, member)
                    g["ms"][member].append(1000 * (time.perf_counter() - t0))
    finally:
        for g in graphs.values():
            g["driver"].close()
    report = {}
    print(f"{'graph':<16}{'members':>8}{'median':>9}   by friends above the cap ({FANOUT}): members, median ms")
    for name, g in graphs.items():
        best = {m: min(v) for m, v in g["ms"].items()}
        classes: dict[str, list[float]] = {}
        for m, ms in best.items():
            classes.setdefault(str(min(g["big"][m], 2)) + ("+" if g["big"][m] >= 2 else ""), []).append(ms)
        report[name] = {"medianMs": round(statistics.median(best.values()), 2),
                        "classes": {k: {"members": len(v), "medianMs": round(statistics.median(v), 2)}
                                    for k, v in sorted(classes.items())}}
        cells = "; ".join(f"{k}: {c['members']}, {c['medianMs']:.1f}" for k, c in report[name]["classes"].items())
        print(f"{name:<16}{len(best):>8}{report[name]['medianMs']:>9.1f}   {cells}")
    save(args.out, "suggestion-classes", {"seed": args.seed, "fanout": FANOUT, "graphs": report})


if __name__ == "__main__":
    main()
