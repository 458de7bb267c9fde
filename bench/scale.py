"""`make bench-scale`: does the cost of each operation follow degree or graph size?

Every operation of `make bench` (bench/bench.py builds them: visibility single and
batch, mutuals of random pairs, of hubs and of the twin hubs, degree, suggestions,
followers first and deep page, connection status, relationships, follow, request +
accept) on two graphs, the second larger, each in its own Neo4j instance behind its
own API server. Both graphs must have hubs of the same degree (`--hub-degree` of
`graphsvc generate`): a hub's cost follows its degree, so the comparison is only fair
when a hub is the same hub at both sizes (the generator's twin hubs also share the
same number of mutuals at any size). For the same reason the followers pages are read
on the small graph's 10 most followed people and, on the large graph, on the people
whose follower counts are closest to theirs (`--most-followed`: each graph's own 10
most followed instead, whose lists are several times longer on the large graph).

Two ways to name the graphs:
- `--small-instance bench --small-data bench-data/100000 --large-instance bench-1000000
  --large-data bench-data/hub12000/1000000`: instances already loaded from those folders
  (the folders give the manifest: hubs, twin hubs);
- `--sizes 20000 200000 --hub-degree 10000` (the default): instances `bench-<people>`,
  generated into bench-data/hub<degree>/<people> and loaded on first use (through
  `graphsvc import`, or `graphsvc import --offline` from 500,000 people up).

Samples are interleaved call by call across the two graphs (small API, small raw,
small `RETURN 1`, then the same on the large one, the other way round on the next
sample), so a noisy machine slows both sizes alike. Per operation: up to `--samples`
samples or `--op-seconds`, after `--warmup` calls of each. Prints and writes the
large/small ratio of the medians per operation (API and raw driver), and for the twin
pair a PROFILE of connections/mutual.cypher on both (db hits), to
bench-results/scale/scale-<stamp>.json and .png. Progress on stderr. Not a test: no
thresholds. What the writes made (follow, request + accept) is undone at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import neo4j  # noqa: E402
from bench import Bench, HttpPool, Result, find_subjects, peak_rss_mb, start_server  # noqa: E402  (bench/bench.py)
from graphsvc.db import S, driver_io  # noqa: E402
from graphsvc.ops import localdb  # noqa: E402

OFFLINE_FROM = 500_000  # as the Makefile's bench-data: larger orgs are loaded by neo4j-admin


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
    """Total db hits, operators and answer of the mutual statement for the twin pair."""
    with neo4j.GraphDatabase.driver(inst.uri, auth=("neo4j", inst.password),
                                    notifications_min_severity="OFF") as driver:
        records, summary, _ = driver.execute_query(
            "PROFILE " + S.connections.mutual.text,
            {"org": org, "asks": [{"meId": a, "meEmail": None, "otherId": b, "otherEmail": None, "skip": 0,
                                   "limit": 21, "after": None}]}, database_="neo4j", routing_=neo4j.RoutingControl.READ)
        degrees, _, _ = driver.execute_query(
            "UNWIND $ids AS id MATCH (p:Person {org: $org, id: id}) "
            "RETURN id, COUNT { (p)-[:CONNECTED]-() } AS n", ids=[a, b], org=org, database_="neo4j")
        return {"dbHits": db_hits(summary.profile), "operators": operators(summary.profile),
                "mutuals": records[0]["total"], "degrees": {r["id"]: r["n"] for r in degrees}}


def memory_settings(inst: localdb.Instance) -> dict:
    """Heap and page cache of the running instance, as its conf was written at its start."""
    out = {}
    try:
        for line in (inst.home / "conf" / "neo4j.conf").read_text().splitlines():
            for key, name in (("server.memory.heap.max_size=", "heap"),
                              ("server.memory.pagecache.size=", "pagecache")):
                if line.startswith(key):
                    out[name] = line[len(key):]
    except OSError:
        pass
    return out


def store_bytes(inst: localdb.Instance) -> int:
    """The database's store files on disk (not its transaction logs)."""
    store = localdb.store_paths(inst, "neo4j")[0]
    return sum(p.stat().st_size for p in store.rglob("*") if p.is_file())


def run(cmd: list[str]) -> None:
    print("$ " + " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)


def ensure_generated(people: int, hub_degree: int, org: str) -> tuple[str, Path]:
    """--sizes: the instance bench-<people> loaded from bench-data/hub<degree>/<people>."""
    data_root = ROOT / "bench-data" / f"hub{hub_degree}"
    inst, data = localdb.instance(f"bench-{people}"), data_root / f"{people}"
    manifest = data / "manifest.json"
    if manifest.exists():
        localdb.start(inst)
        if loaded(inst, org, json.loads(manifest.read_text())["twinHubs"][0]):
            return inst.name, data
    gen = [sys.executable, "-m", "graphsvc", "generate", "--people", str(people), "--hub-degree", str(hub_degree),
           "--org", org, "--out", str(data_root)]
    if people >= OFFLINE_FROM:
        run(gen + ["--no-import"])
        run([sys.executable, "-m", "graphsvc", "import", "--offline", "--replace", "--instance", inst.name,
             "--org", org, str(data), "--summary-json", str(data / "import-summary.json")])
    else:
        localdb.start(inst)
        run(gen + ["--instance", inst.name])
    return inst.name, data


class Side:
    """One graph: its Neo4j instance, an API server in front of it, a raw driver, and
    bench.py's Bench over them, which builds the operations."""

    def __init__(self, label: str, instance: str, data: Path, args: argparse.Namespace):
        self.label, self.data, self.args = label, data, args
        self.inst = localdb.instance(instance)
        self.was_running = localdb.pid_of(self.inst) is not None
        self.results: dict[tuple[str, str], Result] = {}

    async def start(self, log: Path) -> None:
        localdb.start(self.inst)
        self.secret = secrets.token_urlsafe(32)
        self.port = localdb._free_port()
        self.server = start_server(self.inst, self.port, self.secret, [], {}, log)
        driver_io.install()  # the raw driver times its socket I/O as the service's does
        self.driver = neo4j.AsyncGraphDatabase.driver(self.inst.uri, auth=("neo4j", self.inst.password),
                                                      max_connection_pool_size=100,
                                                      notifications_min_severity="OFF")
        self.subjects = await find_subjects(self.driver, self.args.org, self.data)
        s = self.subjects
        print(f"{self.label}: {self.inst.name}, {s['people']:,} people, {s['posts']:,} posts, "
              f"{len(s['hubs'])} hubs of degree {min(s['hubDegrees'].values()):,}-{max(s['hubDegrees'].values()):,}, "
              f"most followed {s['followed'][:2]}", file=sys.stderr, flush=True)
        bench_args = argparse.Namespace(org=self.args.org, seed=self.args.seed, samples=self.args.samples,
                                        warmup=self.args.warmup, latency_seconds=self.args.op_seconds,
                                        concurrency=[1], throughput_seconds=0)
        self.bench = Bench(bench_args, self.driver, HttpPool(self.port, self.args.org), self.secret, s)
        await self.bench.prepare()
        self.ops = {op.name: op for op in self.bench.ops()}

    async def match_followed(self, targets: list[int]) -> None:
        """The followers ops' subjects with the follower counts of the other graph's (the
        closest person to each), in place of this graph's most followed: a list's cost
        follows its length, and the most followed of a graph ten times larger have lists
        several times longer. The deep-page cursors are taken again for them."""
        lo, hi = int(min(targets) * 0.9), int(max(targets) * 1.1) + 1
        records, _, _ = await self.driver.execute_query(
            "MATCH (p:Person {org: $org}) WITH p, COUNT { (p)<-[:FOLLOWS]-() } AS n WHERE $lo <= n <= $hi "
            "RETURN p.id AS id, n", org=self.args.org, lo=lo, hi=hi, database_="neo4j")
        pool = sorted((r["n"], r["id"]) for r in records)
        chosen: list[tuple[str, int]] = []
        for target in targets:
            if not pool:
                break
            n, who = min(pool, key=lambda c: abs(c[0] - target))
            pool.remove((n, who))
            chosen.append((who, n))
        self.subjects["mostFollowed"] = list(self.subjects["followed"])
        self.subjects["followed"][:] = chosen  # the ops read this very list
        await self.bench.prepare()
        print(f"{self.label}: followers subjects matched to {targets[:3]}...: {chosen[:3]}...", file=sys.stderr,
              flush=True)

    def floor(self, i: int):
        return self.bench.floor

    async def stop(self) -> float:
        rss = peak_rss_mb(self.server.pid)
        await self.driver.close()
        self.server.terminate()
        try:
            self.server.wait(20)
        except subprocess.TimeoutExpired:
            self.server.kill()
        return rss


async def measure(sides: list[Side], names: list[str], args: argparse.Namespace) -> None:
    """Each operation on both graphs, its modes and both floors interleaved call by call,
    the order of the graphs swapped at every sample."""
    floors = {side.label: Result("floor", "floor") for side in sides}
    for side in sides:
        side.results[("floor", "floor")] = floors[side.label]
    began = time.perf_counter()
    for k, name in enumerate(names):
        plan: list[list[tuple[list[Result], object]]] = []  # per side: (results to append to, maker)
        for side in sides:
            entries = []
            for mode, make in side.ops[name].modes():
                res = side.results[(name, mode)] = Result(name, mode)
                entries.append(([res], make))
            op_floor = side.results[(name, "floor")] = Result(name, "floor")
            entries.append(([op_floor, floors[side.label]], side.floor))
            plan.append(entries)
        print(f"[{k + 1}/{len(names)}] {name}: warm-up ({time.perf_counter() - began:.0f}s so far)",
              file=sys.stderr, flush=True)
        for i in range(args.warmup):
            for entries in plan:
                for _, make in entries:
                    await make(i)()
        deadline = time.perf_counter() + args.op_seconds
        i = 0
        for i in range(args.samples):
            for entries in (plan if i % 2 == 0 else plan[::-1]):
                for results, make in entries:
                    call = make(i)
                    t0 = time.perf_counter()
                    try:
                        await call()
                    except Exception as exc:
                        results[0].errors += 1
                        if results[0].errors <= 3:
                            print(f"  {name}/{results[0].mode}: {exc}", file=sys.stderr, flush=True)
                        continue
                    ms = 1000 * (time.perf_counter() - t0)
                    for res in results:
                        res.latencies_ms.append(ms)
            if (i + 1) % 50 == 0:
                print(f"  {name}: {i + 1} samples", file=sys.stderr, flush=True)
            if time.perf_counter() > deadline:
                break
        small, large = (side.results.get((name, "api")) for side in sides)
        if small and large and small.latencies_ms and large.latencies_ms:
            print(f"  {name}: {i + 1} samples, API median {statistics.median(small.latencies_ms):.2f} ms -> "
                  f"{statistics.median(large.latencies_ms):.2f} ms "
                  f"({statistics.median(large.latencies_ms) / statistics.median(small.latencies_ms):.2f}x)",
                  file=sys.stderr, flush=True)


def ratio(large: dict | None, small: dict | None) -> float | None:
    if not large or not small or not large.get("medianMs") or not small.get("medianMs"):
        return None
    return round(large["medianMs"] / small["medianMs"], 2)


def main() -> int:
    import logging

    logging.getLogger("neo4j").setLevel(logging.ERROR)  # the write ops' deadlock retries
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--small-instance", help="a loaded instance (with --small-data, --large-*)")
    p.add_argument("--small-data", help="the generated folder the small instance was loaded from")
    p.add_argument("--large-instance")
    p.add_argument("--large-data")
    p.add_argument("--sizes", type=int, nargs=2, default=[20_000, 200_000], metavar=("SMALL", "LARGE"),
                   help="without --*-instance: generate and load bench-<people> instances on first use")
    p.add_argument("--hub-degree", type=int, default=10_000, help="with --sizes: each hub's connections")
    p.add_argument("--org", default="bench")
    p.add_argument("--samples", type=int, default=200, help="per operation, mode and graph")
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--op-seconds", type=float, default=60.0, help="cap on each operation's sampling")
    p.add_argument("--ops", nargs="*", help="only these operations")
    p.add_argument("--seed", type=int, default=None, help="subject picks (default: new each run)")
    p.add_argument("--most-followed", action="store_true",
                   help="followers ops on each graph's 10 most followed people (default: the large graph's "
                        "people with the small graph's top-10 follower counts)")
    p.add_argument("--out", default="bench-results/scale")
    args = p.parse_args()
    if args.seed is None:
        args.seed = random.randrange(2**31)
    named = [args.small_instance, args.small_data, args.large_instance, args.large_data]
    if any(named) and not all(named):
        p.error("--small-instance, --small-data, --large-instance and --large-data go together")
    if all(named):
        pairs = [(args.small_instance, Path(args.small_data)), (args.large_instance, Path(args.large_data))]
    else:
        pairs = [ensure_generated(people, args.hub_degree, args.org) for people in args.sizes]
    out = ROOT / args.out
    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    sides = [Side(label, name, data, args) for label, (name, data) in zip(("small", "large"), pairs)]
    load_before = os.getloadavg()

    async def go() -> tuple[list[str], list[float]]:
        started: list[Side] = []
        try:
            for side in sides:
                await side.start(out / f"server-{side.inst.name}-{stamp}.log")
                started.append(side)
            if not args.most_followed:
                await sides[1].match_followed([n for _, n in sides[0].subjects["followed"]])
            names = [n for n in sides[0].ops if n in sides[1].ops and (not args.ops or n in args.ops)]
            print(f"{len(names)} operations, interleaved across {sides[0].inst.name} and {sides[1].inst.name}",
                  file=sys.stderr, flush=True)
            await measure(sides, names, args)
            for side in sides:
                print(f"{side.label}: writes undone {await side.bench.undo_writes()}", file=sys.stderr)
        finally:
            rss = [await side.stop() for side in started]
        return names, rss

    names, rss = asyncio.run(go())
    load_after = os.getloadavg()
    for side in sides:
        s = side.subjects
        side.info = {
            "instance": side.inst.name, "data": str(side.data), "people": s["people"], "posts": s["posts"],
            "hubDegrees": s["hubDegrees"], "twinHubs": s["twinHubs"], "followed": s["followed"],
            "mostFollowed": s.get("mostFollowed", s["followed"]),
            "memory": memory_settings(side.inst), "storeBytes": store_bytes(side.inst),
        }
    profiles = [profile(side.inst, args.org, *side.subjects["twinHubs"]) if side.subjects.get("twinHubs") else None
                for side in sides]
    for side in sides:
        if not side.was_running and side.inst.name != "bench":
            localdb.stop(side.inst)
    small, large = sides
    ops: dict[str, dict] = {}
    for name in names:
        row: dict = {}
        for mode in ("api", "raw", "floor"):
            a, b = small.results.get((name, mode)), large.results.get((name, mode))
            sa, sb = (a.summary() if a else None), (b.summary() if b else None)
            row[mode] = {"small": sa, "large": sb, "largeOverSmall": ratio(sb, sa)}
        ops[name] = row
    fl = {side.label: side.results[("floor", "floor")].summary() for side in sides}
    result = {
        "stamp": stamp, "seed": args.seed, "org": args.org,
        "settings": {k: v for k, v in vars(args).items()},
        "loadAverage": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in load_after]},
        "sizes": [{**side.info, "peakRssMb": r, "twinProfile": prof} for side, r, prof in zip(sides, rss, profiles)],
        "floor": {"small": fl["small"], "large": fl["large"], "largeOverSmall": ratio(fl["large"], fl["small"])},
        "ops": ops,
        "ratios": {n: {"api": ops[n]["api"]["largeOverSmall"], "raw": ops[n]["raw"]["largeOverSmall"],
                       "floor": ops[n]["floor"]["largeOverSmall"]} for n in names},
        "raw": {f"{side.label}/{n}/{m}": [round(x, 3) for x in res.latencies_ms]
                for side in sides for (n, m), res in side.results.items()},
    }
    path = out / f"scale-{stamp}.json"
    path.write_text(json.dumps(result, indent=1))
    print(table(result))
    try:
        plot(result, path.with_suffix(".png"))
        print(f"wrote {path} and .png")
    except ImportError:
        print(f"wrote {path}; matplotlib not installed: no plot (pip install -e '.[bench]')", file=sys.stderr)
    return 0


def table(result: dict) -> str:
    small, large = result["sizes"]
    head = (f"{'operation':<24}{'API small':>10}{'large':>9}{'ratio':>7}{'raw small':>11}{'large':>9}{'ratio':>7}"
            f"{'floor':>7}{'n':>6}")
    lines = [f"{small['people']:,} people ({small['instance']}) vs {large['people']:,} ({large['instance']}); "
             "medians in ms at concurrency 1, ratio = large/small", head, "-" * len(head)]

    def ms(d: dict | None) -> str:
        return f"{d['medianMs']:.2f}" if d and d.get("medianMs") is not None else "-"

    def x(v: float | None) -> str:
        return f"{v:.2f}" if v is not None else "-"

    for name, row in result["ops"].items():
        n = min((row[m][s] or {}).get("samples", 0) for m in ("api", "raw") for s in ("small", "large"))
        lines.append(f"{name:<24}{ms(row['api']['small']):>10}{ms(row['api']['large']):>9}"
                     f"{x(row['api']['largeOverSmall']):>7}{ms(row['raw']['small']):>11}{ms(row['raw']['large']):>9}"
                     f"{x(row['raw']['largeOverSmall']):>7}{x(row['floor']['largeOverSmall']):>7}{n:>6}")
    fl = result["floor"]
    lines.append(f"{'RETURN 1 (all samples)':<24}{'':>10}{'':>9}{'':>7}{ms(fl['small']):>11}{ms(fl['large']):>9}"
                 f"{x(fl['largeOverSmall']):>7}")
    for side in result["sizes"]:
        prof = side.get("twinProfile")
        if prof:
            lines.append(f"twin hubs on {side['people']:,}: degrees {'/'.join(map(str, prof['degrees'].values()))}, "
                         f"{prof['mutuals']:,} mutuals, {prof['dbHits']:,} db hits; memory {side['memory']}, "
                         f"store {side['storeBytes'] / 1e9:.2f} GB")
    return "\n".join(lines)


def plot(result: dict, path: Path) -> None:
    """Left: the API median per operation on both graphs (log scale); right: the
    large/small ratio of the medians, API and raw driver, against the 1.3x goal."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(result["ops"])
    small, large = result["sizes"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 0.42 * len(names) + 2), sharey=True)
    ys = list(range(len(names)))[::-1]
    for label, side, color, dy in ((f"{small['people']:,} people ({small['instance']})", "small", "tab:blue", 0.15),
                                   (f"{large['people']:,} people ({large['instance']})", "large", "tab:red", -0.15)):
        vals = [(result["ops"][n]["api"][side] or {}).get("medianMs") or float("nan") for n in names]
        left.scatter(vals, [y + dy for y in ys], color=color, label=label, zorder=3)
    left.set_xscale("log")
    from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

    left.xaxis.set_major_locator(LogLocator(subs=(1, 2, 5)))
    left.xaxis.set_major_formatter(FormatStrFormatter("%g"))
    left.xaxis.set_minor_formatter(NullFormatter())
    left.set_xlabel("HTTP API median latency, concurrency 1 (ms, log)")
    left.set_yticks(ys, names)
    left.grid(axis="x", alpha=0.3)
    left.legend(loc="best")
    for mode, color, dy in (("api", "tab:blue", 0.18), ("raw", "tab:orange", -0.18)):
        vals = [result["ops"][n][mode]["largeOverSmall"] or 0 for n in names]
        right.barh([y + dy for y in ys], vals, height=0.34, color=color,
                   label="HTTP API" if mode == "api" else "raw driver")
    right.axvline(1.0, color="grey", lw=1)
    right.axvline(1.3, color="tab:red", lw=1, ls="--", label="goal 1.3x")
    right.set_xlabel(f"median at {large['people']:,} / median at {small['people']:,}")
    right.legend(loc="lower right")
    right.grid(axis="x", alpha=0.3)
    fig.suptitle(f"graphsvc: every bench operation on {small['people']:,} vs {large['people']:,} people "
                 f"(same hub degree), interleaved, {result['stamp']}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
