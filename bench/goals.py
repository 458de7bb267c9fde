"""Issue 16's goals from `bench.py --peers` results: one table row per goal, one column
per run, and a plot of each ratio over its goal (left of 1 is met).

    python bench/goals.py docs/bench/peers-2026-11-27-grouped-{7,8,9}.json --png docs/img/x.png

The last column is the ratio each run's floor allows at best: Neo4j's `RETURN 1` in place
of the statement, or the API's `GET /healthz` in place of the operation. A goal past it
cannot be met on that machine by any Cypher.

An op merged in from another run of the same seed keeps that run's floor under
`opFloor`.

Each file is a run's `peers` part (what bench.py writes under that key, as the JSON
files in docs/bench keep it), or the whole results file holding one.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path


def raw(op: str) -> Callable[[dict], float]:
    """Neo4j's raw median over PostgreSQL's."""
    return lambda d: d["ops"][op]["neo4j"] / d["ops"][op]["postgres"]


def api_c32(op: str) -> Callable[[dict], float]:
    """graphsvc's API throughput at c=32 over PostgreSQL's raw throughput at c=32."""
    return lambda d: d["throughput"][op]["32"]["api"] / d["throughput"][op]["32"]["postgres"]


def raw_best(op: str) -> Callable[[dict], float]:
    """The best raw ratio the floor allows: Neo4j's `RETURN 1` over PostgreSQL's median,
    as if the statement cost nothing."""
    return lambda d: d.get("opFloor", {}).get(op, d["floor"])["neo4j"] / d["ops"][op]["postgres"]


def api_c32_best(op: str) -> Callable[[dict], float]:
    """The best the API's floor allows: `GET /healthz` per second at c=32 (no token, no
    database) over PostgreSQL's raw throughput."""
    return lambda d: d["floorThroughput"]["32"]["api"] / d["throughput"][op]["32"]["postgres"]


# (label, ratio, "<=" or ">=", goal, the best ratio the floor allows)
GOALS: list[tuple[str, Callable[[dict], float], str, float, Callable[[dict], float]]] = [
    ("visibility, 1 post", raw("visibility_1"), "<=", 3, raw_best("visibility_1")),
    ("visibility, batch of 1,000", raw("visibility_1000"), "<=", 1, raw_best("visibility_1000")),
    ("mutual, random pair", raw("mutual_random"), "<=", 3, raw_best("mutual_random")),
    ("mutual, two hubs", raw("mutual_hubs"), "<=", 3, raw_best("mutual_hubs")),
    ("mutual, twin hubs", raw("mutual_twin_hubs"), "<=", 3, raw_best("mutual_twin_hubs")),
    ("degree <= 3", raw("degree"), "<=", 3, raw_best("degree")),
    ("suggestions", raw("suggestions"), "<=", 1, raw_best("suggestions")),
    ("followers, page 1", raw("followers_page1"), "<=", 2, raw_best("followers_page1")),
    ("followers, deep page", raw("followers_deep"), "<=", 2, raw_best("followers_deep")),
    ("API c=32 / PG raw, visibility 1", api_c32("visibility_1"), ">=", 1, api_c32_best("visibility_1")),
    ("API c=32 / PG raw, mutual random", api_c32("mutual_random"), ">=", 1, api_c32_best("mutual_random")),
    ("degree <= 6, PG / Neo4j", lambda d: 1 / raw("degree_6")(d), ">=", 10,
     lambda d: 1 / raw_best("degree_6")(d)),
    *[(f"degree <= 6, pairs at distance {n}, PG / Neo4j", lambda d, n=n: 1 / raw(f"degree_6_at_{n}")(d), ">=", 10,
       lambda d, n=n: 1 / raw_best(f"degree_6_at_{n}")(d)) for n in (4, 5, 6)],
]


def load(path: Path) -> dict:
    data = json.loads(path.read_text())
    return data.get("peers", data)


def table(runs: list[dict], names: list[str]) -> list[tuple[str, list, str, float, int, list]]:
    """Per goal: its ratio in each run, how many runs met it, and the best ratio each run's
    floor allows. None where a run lacks what the ratio needs (an op it did not time, a
    file from before the API floor); a goal no run timed is left out."""
    def each(fn: Callable[[dict], float]) -> list:
        out = []
        for run in runs:
            try:
                out.append(fn(run))
            except (KeyError, TypeError, ZeroDivisionError):
                out.append(None)
        return out

    rows = []
    for label, ratio, sense, goal, best in GOALS:
        values = each(ratio)
        if all(v is None for v in values):
            continue
        met = sum(v is not None and (v <= goal if sense == "<=" else v >= goal) for v in values)
        rows.append((label, values, sense, goal, met, each(best)))
    return rows


def plot(rows: list, names: list[str], png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from matplotlib.lines import Line2D
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    fig, ax = plt.subplots(figsize=(10, 0.45 * len(rows) + 1.5))
    markers = "os^Dv<>ph*"
    for y, (label, values, sense, goal, _, bests) in enumerate(reversed(rows)):
        over = [None if v is None else v / goal if sense == "<=" else goal / v for v in values]
        for b in bests:  # what the run's floor allows at best: a goal right of it cannot be met
            if b is not None:
                ax.scatter(b / goal if sense == "<=" else goal / b, y, marker="|", s=120, color="grey", zorder=2)
        for x, marker in zip(over, markers):
            if x is None:
                continue
            ax.scatter(x, y, marker=marker, color="tab:green" if x <= 1 else "tab:red", zorder=3)
    ax.axvline(1, color="black", lw=1, ls="--")
    ax.set_yticks(range(len(rows)), [f"{r[0]} ({'≤' if r[2] == '<=' else '≥'} {r[3]:g})" for r in reversed(rows)])
    ax.set_xscale("log")
    ax.set_xticks([t for t in (0.125, 0.25, 0.5, 1, 2, 4, 8, 16) if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]])
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("ratio over its goal (left of 1: met)")
    ax.legend([Line2D([], [], ls="", marker=m, color="grey") for m in markers[:len(names)]]
              + [Line2D([], [], ls="", marker="|", markersize=12, color="grey")], names + ["the floor allows at best"],
              loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    ax.grid(axis="x", which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(png, dpi=110)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", nargs="+", type=Path)
    p.add_argument("--png", type=Path)
    args = p.parse_args()
    if len(args.runs) > 10:
        p.error("at most 10 runs: one marker each")
    runs = [load(path) for path in args.runs]
    names = [path.stem for path in args.runs]
    rows = table(runs, names)
    print("| goal | " + " / ".join(names) + " | met | the floor allows at best |")
    print("|---|---|---|---|")
    for label, values, sense, goal, met, bests in rows:
        shown = " / ".join("-" if v is None else f"{v:.2f}" for v in values)
        best = " / ".join("-" if b is None else f"{b:.2f}" for b in bests)
        timed = sum(v is not None for v in values)
        print(f"| {label} ({'≤' if sense == '<=' else '≥'} {goal:g}) | {shown} | {met} of {timed} | {best} |")
    if args.png:
        plot(rows, names, args.png)
        print(f"wrote {args.png}")


if __name__ == "__main__":
    main()
