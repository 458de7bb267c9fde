"""API CPU against Neo4j CPU per request (docs/scaling.md: how many API processes one
Neo4j server keeps busy).

Starts one API server against a loaded local instance (`graphsvc generate` or
`graphsvc import --offline`), sends each operation `--requests` times from
`--concurrency` keep-alive connections, and reads the CPU time (user + system, from
/proc) of the API process and of the Neo4j JVM before and after each operation. The
CPU a request costs does not depend on a shared machine's load the way latency does,
which is why this is the figure to size with. Prints a table, writes
bench-results/cpu-split-<stamp>.json. Not a test: no thresholds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import HttpPool, process_tree, start_server
from results import save
from graphsvc.auth import mint
from graphsvc.ops import localdb

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children that are still running."""
    total = 0.0
    for p in process_tree(pid):
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def operations(manifest: dict, rng: random.Random) -> dict:
    """name -> (method, a target for sample i, body for sample i, role)."""
    people, posts = manifest["people"], manifest["posts"]

    def person() -> str:
        return f"usr_{rng.randrange(people):07d}"

    def post() -> str:
        return f"post_{rng.randrange(posts):08d}"

    return {
        "visibility_1": ("GET", lambda: f"/community/visibility?viewerId={person()}&postId={post()}", None, "service"),
        "visibility_100": ("POST", lambda: "/community/visibility",
                           lambda: {"viewerId": person(), "postIds": [post() for _ in range(100)]}, "service"),
        "followers_page": ("GET", lambda: "/client/community/followers?limit=20", None, "customer"),
        "mutual_random": ("GET", lambda: f"/client/community/connections/mutual/{person()}", None, "customer"),
        "degree": ("GET", lambda: f"/client/community/degree/{person()}", None, "customer"),
        "suggestions": ("GET", lambda: "/client/community/suggestions", None, "customer"),
        "follow_stats": ("GET", lambda: "/client/community/follow/stats", None, "customer"),
    }


async def run_op(http: HttpPool, secret: str, org: str, people: int, op: tuple, requests: int, seconds: float,
                 concurrency: int, rng: random.Random) -> tuple[int, float]:
    """(requests made, seconds): `requests` of them, or as many as `seconds` allow."""
    method, target, body, role = op
    done = 0
    started = time.perf_counter()
    deadline = started + seconds

    async def worker() -> None:
        nonlocal done
        while done < requests and time.perf_counter() < deadline:
            done += 1
            me = f"usr_{rng.randrange(people):07d}"
            token = mint(secret, me if role == "customer" else "svc_bench", org, role, ttl=3600)
            await http.call(method, target(), token, body() if body else None)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done, time.perf_counter() - started


async def main_async(args: argparse.Namespace) -> int:
    inst = localdb.instance(args.instance)
    if not localdb.pid_of(inst):
        raise SystemExit(f"instance {args.instance} is not running: graphsvc db start --instance {args.instance}")
    manifest = json.loads((Path(args.data) / "manifest.json").read_text())
    secret = secrets.token_urlsafe(32)
    port = 18000 + random.randrange(1000)
    log = ROOT / "bench-results" / "cpu-split-server.log"
    log.parent.mkdir(exist_ok=True)
    server = start_server(inst, port, secret, [], {}, log)
    neo4j_pid = localdb.pid_of(inst)
    rng = random.Random(args.seed)
    http = HttpPool(port, args.org)
    rows = []
    try:
        # What both processes burn with no request at all (GC, checkpoints, timers), subtracted below.
        api0, db0 = cpu_seconds(server.pid), cpu_seconds(neo4j_pid)
        await asyncio.sleep(args.idle)
        idle_api, idle_db = (cpu_seconds(server.pid) - api0) / args.idle, (cpu_seconds(neo4j_pid) - db0) / args.idle
        print(f"idle: API {1e3 * idle_api:.1f} ms/s, Neo4j {1e3 * idle_db:.1f} ms/s of CPU", flush=True)
        for name, op in operations(manifest, rng).items():
            if args.ops and name not in args.ops:
                continue
            # Warm-up: the JVM compiles the statement's hot paths (its compiler threads' CPU
            # would otherwise be charged to the first requests).
            await run_op(http, secret, args.org, manifest["people"], op, args.warmup, args.seconds, args.concurrency,
                         rng)
            api0, db0 = cpu_seconds(server.pid), cpu_seconds(neo4j_pid)
            count, seconds = await run_op(http, secret, args.org, manifest["people"], op, args.requests,
                                          args.seconds, args.concurrency, rng)
            api = cpu_seconds(server.pid) - api0 - idle_api * seconds
            db = cpu_seconds(neo4j_pid) - db0 - idle_db * seconds
            rows.append({"op": name, "requests": count, "seconds": round(seconds, 2),
                         "perSecond": round(count / seconds, 1),
                         "apiCpuUs": round(1e6 * api / count), "neo4jCpuUs": round(1e6 * db / count),
                         "apiPerNeo4j": round(api / db, 2) if db else None})
            print(f"{name:16} {rows[-1]['perSecond']:>8.1f}/s  API {rows[-1]['apiCpuUs']:>6} us  "
                  f"Neo4j {rows[-1]['neo4jCpuUs']:>6} us  API/Neo4j {rows[-1]['apiPerNeo4j']}", flush=True)
    finally:
        server.terminate()
        server.wait(20)
    save(ROOT / "bench-results", "cpu-split", {
        "instance": args.instance, "people": manifest["people"], "concurrency": args.concurrency,
        "load": os.getloadavg(),
        "idleCpuMsPerSecond": {"api": round(1e3 * idle_api, 1), "neo4j": round(1e3 * idle_db, 1)}, "ops": rows})
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--instance", default="bench")
    p.add_argument("--org", default="bench")
    p.add_argument("--data", default="bench-data/100000", help="the generated org's folder (manifest.json)")
    p.add_argument("--requests", type=int, default=3000, help="per operation, measured")
    p.add_argument("--warmup", type=int, default=1000, help="per operation, before the measured ones")
    p.add_argument("--seconds", type=float, default=30.0, help="at most this long per operation and phase")
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--ops", nargs="*")
    p.add_argument("--idle", type=float, default=10.0, help="seconds of measuring what both burn with no request")
    p.add_argument("--seed", type=int, default=1)
    return asyncio.run(main_async(p.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
