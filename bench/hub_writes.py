"""What FRIEND_TOP costs the writes that keep it (docs/performance.md, "FRIEND_TOP").

An accept or a removal that changes the friends of someone with more than TOP_FRIENDS
friends refreshes their FRIEND_TOP in the same transaction (cypher/graph/refresh_tops),
which reads all their friends' keys once. This times, for people of a loaded org picked
by friend count, one new FRIEND to a person whose key sorts first (so the kept set
changes) with and without the refresh, in write transactions that are rolled back:
the store is left as it was. Prints a table, writes a JSON. Not a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import neo4j  # noqa: E402
from graphsvc.db import S  # noqa: E402
from graphsvc.domain.graph import TOP_FRIENDS  # noqa: E402
from graphsvc.ops import localdb  # noqa: E402
from results import save  # noqa: E402

# Setup only (not timed): the people with the most friends and someone near each size asked for.
BY_DEGREE = ("MATCH (p:Person {org: $org}) WHERE p.id IS NOT NULL WITH p, COUNT { (p)-[:FRIEND]-() } AS n "
             "WHERE n >= $low AND n <= $high RETURN p.id AS id, n ORDER BY n DESC LIMIT 1")
# Timed: a friend for `id` who sorts before everyone (a new person, rolled back with the rest).
BEFRIEND = ("MATCH (p:Person {org: $org, id: $id}) "
            "CREATE (n:Person {org: $org, id: '!hub-writes', key: randomUUID()})-[:FRIEND]->(p) "
            "RETURN [elementId(p), elementId(n)] AS people")


def cycle(driver: neo4j.Driver, org: str, member: str, refresh: bool) -> float:
    """One befriend (and refresh) in a write transaction that is then rolled back; ms."""
    with driver.session(database="neo4j") as session:
        tx = session.begin_transaction()
        try:
            t0 = time.perf_counter()
            people = tx.run(BEFRIEND, org=org, id=member).single()["people"]
            if refresh:
                S.graph.refresh_tops.run(tx, org=org, people=people, keep=TOP_FRIENDS).consume()
            return 1000 * (time.perf_counter() - t0)
        finally:
            tx.rollback()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--instance", default="bench")
    p.add_argument("--org", default="bench")
    p.add_argument("--rounds", type=int, default=30)
    p.add_argument("--out", type=Path, default=ROOT / "bench-results")
    args = p.parse_args()
    inst = localdb.instance(args.instance)
    driver = neo4j.GraphDatabase.driver(inst.uri, auth=("neo4j", inst.password), notifications_min_severity="OFF")
    sizes = {"largest": (TOP_FRIENDS + 1, 10**9), "~2,000": (1500, 2500), "~1,000": (900, TOP_FRIENDS),
             "~20": (15, 25)}
    people = {}
    for label, (low, high) in sizes.items():
        found = driver.execute_query(BY_DEGREE, org=args.org, low=low, high=high, database_="neo4j").records
        if found:
            people[label] = (found[0]["id"], found[0]["n"])
    report = {}
    try:
        for label, (member, friends) in people.items():
            times = {True: [], False: []}
            for r in range(args.rounds + 3):
                for refresh in ((True, False) if r % 2 else (False, True)):
                    ms = cycle(driver, args.org, member, refresh)
                    if r >= 3:  # the first rounds warm the plans up
                        times[refresh].append(ms)
            plain, kept = statistics.median(times[False]), statistics.median(times[True])
            report[label] = {"member": member, "friends": friends, "plainMs": round(plain, 2),
                             "withRefreshMs": round(kept, 2), "refreshMs": round(kept - plain, 2)}
            print(f"{label:<8} {member} ({friends:,} friends): befriend {plain:.1f} ms, "
                  f"with the refresh {kept:.1f} ms (+{kept - plain:.1f})", file=sys.stderr)
    finally:
        driver.close()
    save(args.out, "hub-writes", {"rounds": args.rounds, "keep": TOP_FRIENDS, "people": report})


if __name__ == "__main__":
    main()
