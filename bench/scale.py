"""`make bench-scale`: does the cost of hub mutuals follow degree or graph size?

Two synthetic orgs, the second ten times larger (20,000 and 200,000 people by
default), both generated with the same hub degree (`--hub-degree`, 10,000), so the
generator's twin hubs have the same number of connections and the same mutual set
(half their hub links) in both. Each org lives in its own Neo4j instance
(`bench-<people>`, sized like `bench`), so store size is that of a graph that size,
and each has its own API server. Samples are interleaved call by call across both
graphs (small API, small raw, large API, large raw, then the other way round), so a
noisy machine slows both sizes alike; `RETURN 1` is sampled on both as well. Also
a PROFILE of connections/mutual.cypher for each pair (db hits). Prints the
large/small ratios, writes bench-results/scale/scale-<stamp>.json and .png. Not a
test: no thresholds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import neo4j  # noqa: E402
from bench import HttpPool, peak_rss_mb, start_server  # noqa: E402  (bench/bench.py)
from graphsvc.auth import mint  # noqa: E402
from graphsvc.db import S  # noqa: E402
from graphsvc.ops import localdb  # noqa: E402

ORG = "bench"


def db_hits(plan: dict) -> int:
    return plan.get("dbHits", 0) + sum(db_hits(c) for c in plan.get("children", []))


def operators(plan: dict) -> list[str]:
    return [plan["operatorType"].split("@")[0]] + [o for c in plan.get("children", []) for o in operators(c)]


def params(a: str, b: str) -> dict:
    return {"org": ORG, "meId": a, "meEmail": None, "otherId": b, "otherEmail": None, "skip": 0, "limit": 20}


def loaded(inst: localdb.Instance, person: str) -> bool:
    with neo4j.GraphDatabase.driver(inst.uri, auth=("neo4j", inst.password)) as driver:
        records, _, _ = driver.execute_query("MATCH (p:Person {org: $org, id: $id}) RETURN count(p) AS n",
                                             org=ORG, id=person, database_="neo4j")
        return records[0]["n"] > 0


def profile(inst: localdb.Instance, a: str, b: str) -> dict:
    """Total db hits, operators and answer of the mutual statement for the twin pair."""
    with neo4j.GraphDatabase.driver(inst.uri, auth=("neo4j", inst.password),
                                    notifications_min_severity="OFF") as driver:
        records, summary, _ = driver.execute_query("PROFILE " + S.connections.mutual.text, params(a, b),
                                                   database_="neo4j", routing_=neo4j.RoutingControl.READ)
        degrees, _, _ = driver.execute_query(
            "UNWIND $ids AS id MATCH (p:Person {org: $org, id: id}) "
            "RETURN id, COUNT { (p)-[:CONNECTED]-() } AS n", ids=[a, b], org=ORG, database_="neo4j")
        return {"dbHits": db_hits(summary.profile), "operators": operators(summary.profile),
                "mutuals": records[0]["total"], "degrees": {r["id"]: r["n"] for r in degrees}}


class Graph:
    """One size: its Neo4j instance, an API server in front of it, a raw driver, the twin pair."""

    def __init__(self, people: int, data: Path):
        self.people, self.data = people, data
        self.inst = localdb.instance(f"bench-{people}")
        self.twins: list[str] = json.loads((data / "manifest.json").read_text())["twinHubs"]
        self.samples: dict[str, list[float]] = {"api": [], "raw": [], "floor": []}

    async def start(self, log: Path) -> None:
        self.secret = secrets.token_urlsafe(32)
        self.port = localdb._free_port()
        self.server = start_server(self.inst, self.port, self.secret, [], {}, log)
        self.http = HttpPool(self.port, ORG)
        self.driver = neo4j.AsyncGraphDatabase.driver(self.inst.uri, auth=("neo4j", self.inst.password),
                                                      notifications_min_severity="OFF")
        self.token = mint(self.secret, self.twins[0], ORG, "customer", None, 24 * 3600)

    async def api(self) -> None:
        await self.http.call("GET", f"/client/community/connections/mutual/{self.twins[1]}", self.token)

    async def raw(self) -> None:
        async def work(tx: neo4j.AsyncManagedTransaction) -> None:
            result = await S.connections.mutual.run(tx, **params(*self.twins))
            await result.single()

        async with self.driver.session(database="neo4j") as session:
            await session.execute_read(work)

    async def floor(self) -> None:
        async with self.driver.session(database="neo4j") as session:
            await (await session.run("RETURN 1 AS one")).consume()

    async def stop(self) -> float:
        rss = peak_rss_mb(self.server.pid)
        await self.driver.close()
        self.server.terminate()
        try:
            self.server.wait(20)
        except subprocess.TimeoutExpired:
            self.server.kill()
        return rss


def summary(xs: list[float]) -> dict:
    xs = sorted(xs)
    return {"samples": len(xs), "medianMs": round(statistics.median(xs), 3),
            "p99Ms": round(xs[min(len(xs) - 1, int(0.99 * len(xs)))], 3)}


async def measure(graphs: list[Graph], samples: int, warmup: int) -> None:
    for g in graphs:
        for _ in range(warmup):
            await g.api()
            await g.raw()
    for i in range(samples):
        for g in (graphs if i % 2 == 0 else graphs[::-1]):
            for mode in ("api", "raw", "floor"):
                t0 = time.perf_counter()
                await getattr(g, mode)()
                g.samples[mode].append((time.perf_counter() - t0) * 1000)
        if (i + 1) % 50 == 0:
            print(f"  {i + 1}/{samples} samples", file=sys.stderr, flush=True)


def run(cmd: list[str]) -> None:
    print("$ " + " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", type=int, nargs=2, default=[20_000, 200_000], metavar=("SMALL", "LARGE"))
    p.add_argument("--hub-degree", type=int, default=10_000)
    p.add_argument("--samples", type=int, default=300)
    p.add_argument("--warmup", type=int, default=50)
    args = p.parse_args()
    out = ROOT / "bench-results" / "scale"
    out.mkdir(parents=True, exist_ok=True)
    data_root = ROOT / "bench-data" / f"hub{args.hub_degree}"
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for people in args.sizes:
        inst, manifest = localdb.instance(f"bench-{people}"), data_root / f"{people}" / "manifest.json"
        localdb.start(inst)
        if not manifest.exists() or not loaded(inst, json.loads(manifest.read_text())["twinHubs"][0]):
            run([sys.executable, "-m", "graphsvc", "generate", "--people", str(people), "--hub-degree",
                 str(args.hub_degree), "--org", ORG, "--instance", inst.name, "--out", str(data_root)])
    graphs = [Graph(people, data_root / f"{people}") for people in args.sizes]
    profiles = [profile(g.inst, *g.twins) for g in graphs]

    async def go() -> list[float]:
        for g in graphs:
            await g.start(out / f"server-{g.people}-{stamp}.log")
        try:
            print(f"mutual_twin_hubs on {' and '.join(f'{g.people:,}' for g in graphs)} people, interleaved",
                  file=sys.stderr)
            await measure(graphs, args.samples, args.warmup)
        finally:
            rss = [await g.stop() for g in graphs]
        return rss

    rss = asyncio.run(go())
    for g in graphs:
        localdb.stop(g.inst)
    rows = [{"people": g.people, "profile": prof, "peakRssMb": r, **{m: summary(g.samples[m]) for m in g.samples}}
            for g, prof, r in zip(graphs, profiles, rss)]
    small, large = rows
    ratios = {m: round(large[m]["medianMs"] / small[m]["medianMs"], 2) for m in ("api", "raw", "floor")}
    ratios["dbHits"] = round(large["profile"]["dbHits"] / small["profile"]["dbHits"], 3)
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
    result = {"stamp": stamp, "hubDegree": args.hub_degree, "ratios": ratios, "sizes": rows,
              "raw": {f"{g.people}/{m}": [round(x, 3) for x in g.samples[m]] for g in graphs for m in g.samples}}
    (out / f"scale-{stamp}.json").write_text(json.dumps(result, indent=1))
    try:
        plot(graphs, out / f"scale-{stamp}.png", args.hub_degree)
        print(f"wrote {out / f'scale-{stamp}.json'} and .png")
    except ImportError:
        print("matplotlib not installed: no plot (pip install -e '.[bench]')", file=sys.stderr)
    return 0


def plot(graphs: list[Graph], path: Path, hub_degree: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 5))
    data, labels = [], []
    for g in graphs:
        for mode in ("api", "raw"):
            data.append(g.samples[mode])
            labels.append(f"{g.people:,} people\n{'HTTP API' if mode == 'api' else 'raw driver'}")
    parts = ax.violinplot(data, showmedians=True)
    for body, color in zip(parts["bodies"], ["tab:blue", "tab:orange"] * len(graphs)):
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
