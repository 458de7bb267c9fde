"""`make bench-scale`: does the cost of hub mutuals follow degree or graph size?

Two synthetic orgs, the second ten times larger (20,000 and 200,000 people by
default), both generated with the same hub degree (`--hub-degree`, 10,000), so the
generator's twin hubs have the same number of connections and the same mutual set
size (half their hub links) in both. Each org lives in its own Neo4j instance
(`bench-<people>`, sized like `bench`), so store size and page cache are those of a
graph that size. For each: `bench/bench.py --ops mutual_twin_hubs` (API and raw
driver, interleaved with `RETURN 1`), and a PROFILE of connections/mutual.cypher for
the pair (db hits). Prints the large/small ratios, writes bench-results/scale/
scale-<stamp>.json and .png. Not a test: no thresholds.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import neo4j  # noqa: E402

from graphsvc import localdb  # noqa: E402
from graphsvc.cypher import q  # noqa: E402


def db_hits(plan: dict) -> int:
    return plan.get("dbHits", 0) + sum(db_hits(c) for c in plan.get("children", []))


def operators(plan: dict) -> list[str]:
    return [plan["operatorType"].split("@")[0]] + [o for c in plan.get("children", []) for o in operators(c)]


def loaded(inst: localdb.Instance, org: str, person: str) -> bool:
    with neo4j.GraphDatabase.driver(inst.uri, auth=("neo4j", inst.password)) as driver:
        records, _, _ = driver.execute_query("MATCH (p:Person {org: $org, id: $id}) RETURN count(p) AS n",
                                             org=org, id=person, database_="neo4j")
        return records[0]["n"] > 0


def profile(inst: localdb.Instance, org: str, a: str, b: str) -> dict:
    """Total db hits, operators and rows of the mutual statement for the twin pair (warm: run twice)."""
    with neo4j.GraphDatabase.driver(inst.uri, auth=("neo4j", inst.password),
                                    notifications_min_severity="OFF") as driver:
        params = {"org": org, "meId": a, "meEmail": None, "otherId": b, "otherEmail": None, "skip": 0, "limit": 20}
        for _ in range(2):
            records, summary, _ = driver.execute_query("PROFILE " + q("connections/mutual"), params,
                                                       database_="neo4j", routing_=neo4j.RoutingControl.READ)
        degrees, _, _ = driver.execute_query(
            "UNWIND $ids AS id MATCH (p:Person {org: $org, id: id}) "
            "RETURN id, COUNT { (p)-[:CONNECTED]-() } AS n", ids=[a, b], org=org, database_="neo4j")
        return {"dbHits": db_hits(summary.profile), "operators": operators(summary.profile),
                "mutuals": records[0]["total"], "degrees": {r["id"]: r["n"] for r in degrees}}


def run(cmd: list[str]) -> None:
    print("$ " + " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", type=int, nargs=2, default=[20_000, 200_000], metavar=("SMALL", "LARGE"))
    p.add_argument("--hub-degree", type=int, default=10_000)
    p.add_argument("--samples", type=int, default=200)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    py = sys.executable
    out = ROOT / "bench-results" / "scale"
    data_root = ROOT / "bench-data" / f"hub{args.hub_degree}"
    stamp = time.strftime("%Y%m%d-%H%M%S")
    rows = []
    for people in args.sizes:
        name, org, data = f"bench-{people}", "bench", data_root / f"{people}"
        inst = localdb.instance(name)
        localdb.start(inst)
        manifest = data / "manifest.json"
        twins = json.loads(manifest.read_text())["twinHubs"] if manifest.exists() else None
        if not twins or not loaded(inst, org, twins[0]):
            run([py, "-m", "graphsvc", "generate", "--people", str(people), "--hub-degree", str(args.hub_degree),
                 "--org", org, "--instance", name, "--out", str(data_root)])
            twins = json.loads(manifest.read_text())["twinHubs"]
        run([py, "bench/bench.py", "--instance", name, "--org", org, "--data", str(data), "--ops",
             "mutual_twin_hubs", "--samples", str(args.samples), "--warmup", "50", "--latency-seconds", "60",
             "--concurrency", "1", "8", "--seed", str(args.seed), "--out", f"bench-results/scale/{people}"])
        report = json.loads((out / f"{people}" / "latest.json").read_text())
        by = {(r["op"], r["mode"]): r for r in report["results"]}
        rows.append({
            "people": people, "profile": profile(inst, org, *twins),
            "api": by[("mutual_twin_hubs", "api")], "raw": by[("mutual_twin_hubs", "raw")],
            "floor": by[("floor", "floor")], "latencies": {m: report["raw"][f"mutual_twin_hubs/{m}"]
                                                           for m in ("api", "raw")},
        })
        localdb.stop(inst)  # one graph in memory at a time: the other's page cache is not competing
    small, large = rows
    ratios = {m: round(large[m]["medianMs"] / small[m]["medianMs"], 2) for m in ("api", "raw")}
    ratios["dbHits"] = round(large["profile"]["dbHits"] / small["profile"]["dbHits"], 3)
    ratios["floor"] = round(large["floor"]["medianMs"] / small["floor"]["medianMs"], 2)
    print(f"\n{'people':>9} {'degrees':>14} {'mutuals':>8} {'db hits':>9} {'API med':>9} {'API p99':>9} "
          f"{'raw med':>9} {'API/raw':>8} {'floor':>7}")
    for r in rows:
        deg = "/".join(str(v) for v in r["profile"]["degrees"].values())
        print(f"{r['people']:>9,} {deg:>14} {r['profile']['mutuals']:>8,} {r['profile']['dbHits']:>9,} "
              f"{r['api']['medianMs']:>9.2f} {r['api']['p99Ms']:>9.2f} {r['raw']['medianMs']:>9.2f} "
              f"{r['api']['medianMs'] / r['raw']['medianMs']:>8.2f} {r['floor']['medianMs']:>7.2f}")
    print(f"large/small: API median {ratios['api']}x, raw driver {ratios['raw']}x, db hits {ratios['dbHits']}x, "
          f"RETURN 1 {ratios['floor']}x")
    print("operators: " + " > ".join(dict.fromkeys(large["profile"]["operators"])))
    out.mkdir(parents=True, exist_ok=True)
    result = {"stamp": stamp, "hubDegree": args.hub_degree, "ratios": ratios,
              "sizes": [{k: v for k, v in r.items() if k != "latencies"} for r in rows]}
    (out / f"scale-{stamp}.json").write_text(json.dumps(result, indent=1))
    try:
        plot(rows, out / f"scale-{stamp}.png", args.hub_degree)
        print(f"wrote {out / f'scale-{stamp}.json'} and .png")
    except ImportError:
        print("matplotlib not installed: no plot (pip install -e '.[bench]')", file=sys.stderr)
    return 0


def plot(rows: list[dict], path: Path, hub_degree: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 5))
    data, labels = [], []
    for r in rows:
        for mode in ("api", "raw"):
            data.append(r["latencies"][mode])
            labels.append(f"{r['people']:,} people\n{'HTTP API' if mode == 'api' else 'raw driver'}")
    parts = ax.violinplot(data, showmedians=True)
    for body, color in zip(parts["bodies"], ["tab:blue", "tab:orange"] * len(rows)):
        body.set_facecolor(color)
        body.set_alpha(0.6)
    ax.set_xticks(range(1, len(labels) + 1), labels)
    ax.set_ylabel("latency at concurrency 1 (ms)")
    ax.set_ylim(bottom=0)
    ax.set_title(f"mutual connections of two hubs ({hub_degree:,} hub links each, same mutual count)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
