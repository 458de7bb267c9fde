"""A deterministic synthetic org for benchmarks (`graphsvc generate`, `make bench-data`).

Same seed and size, same files, byte for byte. The shape is what a real community
looks like, because the costs of the queries depend on it:
- connections follow the Holme-Kim model (preferential attachment plus triad
  formation): a power-law degree distribution, and friends of friends are often
  friends; on top, a few hubs are connected to ~12% of everyone (12,000 each at
  the default 100,000 people, or `hub_degree` each), the first two of them "twins"
  sharing half of those connections, so the hub-pair mutual set has the same size
  whatever the size of the graph (the benchmark compares graph sizes with it);
- person follows go half to one's connections and half to people picked by a
  Zipf popularity, so hubs and celebrities also have huge follower lists;
- a few pages are followed by more than half the org, the rest by a Zipf tail;
- posts over the four visibilities, some in pages; plus pending and rejected
  requests and a few blocks between strangers.
The files are CSV in the importer's formats (graphsvc/ops/importer.py), so a generated
org is loaded through exactly the path users' imports take.
"""

from __future__ import annotations

import csv
import itertools
import json
import random
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc)
SPAN = 2 * 365 * 24 * 3600  # two years of history, in seconds


@dataclass(frozen=True)
class Shape:
    people: int = 100_000
    seed: int = 42
    m: int = 10  # connections each newcomer makes: about m * people accepted connections
    triad: float = 0.6  # chance each further link closes a triangle (clustering)
    hub_share: float = 0.12  # fraction of everyone connected to each hub...
    hub_degree: int | None = None  # ...or this many people, whatever the graph's size
    person_follows: float = 7.0  # per person
    page_follows: float = 3.0  # per person, in total
    posts: float = 2.0  # per person
    pending: float = 0.2  # per person
    rejected: float = 0.1
    blocks: float = 0.01

    @property
    def hubs(self) -> int:
        return max(3, self.people // 20_000)

    def __post_init__(self) -> None:
        if self.hub_degree is not None and not 0 < self.hub_degree <= self.people * 2 // 3:
            raise ValueError("hub_degree must be between 1 and two thirds of people (twins share half)")

    @property
    def hub_links(self) -> int:
        """Connections each hub adds on top of the organic ones."""
        return int(self.hub_share * self.people) if self.hub_degree is None else self.hub_degree

    @property
    def pages(self) -> int:
        return max(10, self.people // 40)


def person_id(i: int) -> str:
    return f"usr_{i:07d}"


def page_id(i: int) -> str:
    return f"pg_{i:05d}"


def post_id(i: int) -> str:
    return f"post_{i:08d}"


class _Clock:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def at(self, after: datetime | None = None) -> datetime:
        if after is None:
            return EPOCH + timedelta(seconds=self.rng.randrange(SPAN))
        return after + timedelta(seconds=self.rng.randrange(1, 14 * 24 * 3600))


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _connections(shape: Shape, rng: random.Random) -> tuple[list[tuple[int, int]], list[list[int]], list[int]]:
    """Undirected edges (a < b) and adjacency lists: Holme-Kim, then the hubs."""
    n, m = shape.people, min(shape.m, max(1, shape.people // 4))
    adj: list[list[int]] = [[] for _ in range(n)]
    edges: set[int] = set()
    ends: list[int] = []  # every edge's two ends: a uniform pick from it is preferential attachment

    def link(a: int, b: int) -> bool:
        if a == b:
            return False
        k = a * n + b if a < b else b * n + a
        if k in edges:
            return False
        edges.add(k)
        adj[a].append(b)
        adj[b].append(a)
        ends.append(a)
        ends.append(b)
        return True

    for a, b in itertools.combinations(range(m + 1), 2):
        link(a, b)
    for v in range(m + 1, n):
        made, last, tries = 0, -1, 0
        while made < m and tries < 20 * m:
            tries += 1
            if last >= 0 and rng.random() < shape.triad and adj[last]:
                w = adj[last][rng.randrange(len(adj[last]))]
            else:
                w = ends[rng.randrange(len(ends))]
            if link(v, w):
                made += 1
                last = w
    hubs = rng.sample(range(n), shape.hubs)
    d = shape.hub_links
    first = rng.sample(range(n), d)
    for v in first:
        link(hubs[0], v)
    # The twin takes half of the first hub's picks and the rest from people the first
    # hub did not pick: exactly d // 2 hub-made mutuals, at any graph size.
    taken = set(first)
    rest = [v for v in range(n) if v not in taken]
    for v in first[: d // 2] + rng.sample(rest, d - d // 2):
        link(hubs[1], v)
    del taken, rest
    for h in hubs[2:]:
        for v in rng.sample(range(n), d):
            link(h, v)
    pairs = sorted((k // n, k % n) for k in edges)
    return pairs, adj, hubs


def _zipf_weights(k: int, s: float = 1.0) -> list[float]:
    acc, out = 0.0, []
    for r in range(1, k + 1):
        acc += 1.0 / r**s
        out.append(acc)
    return out


def generate(out: Path, shape: Shape = Shape()) -> dict[str, int]:
    """Write people/pages/follows/connections/blocks/posts .csv and manifest.json under `out`; row counts."""
    rng = random.Random(shape.seed)
    clock = _Clock(rng)
    out.mkdir(parents=True, exist_ok=True)
    n = shape.people
    counts: dict[str, int] = {}

    def writer(name: str, header: list[str]):
        fh = (out / f"{name}.csv").open("w", newline="", encoding="utf-8")
        w = csv.writer(fh)
        w.writerow(header)
        return fh, w

    # No key column: liveKey is unique across all orgs, so keys are left to the import's
    # randomUUID() rather than repeated by every org generated from the same seed.
    fh, w = writer("people", ["id", "email", "createdAt"])
    for i in range(n):
        w.writerow([person_id(i), f"user{i}@bench.example", _iso(clock.at())])
    fh.close()
    counts["people"] = n

    fh, w = writer("pages", ["id", "name", "createdAt"])
    for i in range(shape.pages):
        w.writerow([page_id(i), f"Page {i}", _iso(clock.at())])
    fh.close()
    counts["pages"] = shape.pages

    pairs, adj, hub_list = _connections(shape, rng)
    connected = {a * n + b for a, b in pairs}

    def key(a: int, b: int) -> int:
        return a * n + b if a < b else b * n + a

    # Blocks first (between strangers), so no follow or request is generated across one.
    blocked: set[int] = set()
    block_rows = []
    while len(block_rows) < int(shape.blocks * n):
        a, b = rng.randrange(n), rng.randrange(n)
        if a != b and key(a, b) not in connected and key(a, b) not in blocked:
            blocked.add(key(a, b))
            block_rows.append([person_id(a), person_id(b), _iso(clock.at())])

    # No id column: the importer derives each id from org, both people and requestedAt,
    # so two orgs generated from the same seed never collide on the global id constraint.
    fh, w = writer("connections", ["requesterId", "targetId", "status", "message", "requestedAt", "respondedAt"])
    rows = 0
    for a, b in pairs:
        if key(a, b) in blocked:
            continue
        req, tgt = (a, b) if rng.random() < 0.5 else (b, a)
        asked = clock.at()
        w.writerow([person_id(req), person_id(tgt), "accepted", "", _iso(asked),
                    _iso(clock.at(asked))])
        rows += 1
    live = set(connected)
    for status, per in (("pending", shape.pending), ("rejected", shape.rejected)):
        made = 0
        while made < int(per * n):
            a = rng.randrange(n)
            # Half the requests go to a friend of a friend, as suggestions would propose.
            if adj[a] and rng.random() < 0.5:
                f = adj[a][rng.randrange(len(adj[a]))]
                b = adj[f][rng.randrange(len(adj[f]))] if adj[f] else rng.randrange(n)
            else:
                b = rng.randrange(n)
            k = key(a, b)
            if a == b or k in live or k in blocked:
                continue
            if status == "pending":
                live.add(k)
            asked = clock.at()
            w.writerow([person_id(a), person_id(b), status, "Let's connect", _iso(asked),
                        _iso(clock.at(asked)) if status == "rejected" else ""])
            rows += 1
            made += 1
    fh.close()
    counts["connections"] = rows
    del live, connected

    fh, w = writer("follows", ["followerId", "followingId", "followingType", "since"])
    rows = 0
    followed: set[int] = set()
    popularity = list(range(n))
    rng.shuffle(popularity)
    cum = _zipf_weights(n, 0.9)
    for a in range(n):
        want = int(shape.person_follows) + (1 if rng.random() < shape.person_follows % 1 else 0)
        # Follows are skewed too: some people follow many more than others.
        want = max(0, int(rng.expovariate(1.0 / want))) if want else 0
        picks = []
        if adj[a]:
            picks += [adj[a][rng.randrange(len(adj[a]))] for _ in range(want // 2)]
        picks += [popularity[i] for i in _choose(rng, cum, want - len(picks))]
        for b in picks:
            k = a * n + b
            if a == b or k in followed or key(a, b) in blocked:
                continue
            followed.add(k)
            w.writerow([person_id(a), person_id(b), "person", _iso(clock.at())])
            rows += 1
    del followed
    # Pages: the top three are followed by more than half the org, the rest by a Zipf tail.
    big = min(3, shape.pages)
    page_rows = 0
    for p in range(big):
        for a in rng.sample(range(n), int(0.55 * n)):
            w.writerow([person_id(a), page_id(p), "page", _iso(clock.at())])
            page_rows += 1
    tail = max(0, int(shape.page_follows * n) - page_rows)
    page_cum = _zipf_weights(shape.pages - big, 1.1)
    seen: set[int] = set()
    for _ in range(tail):
        a = rng.randrange(n)
        p = big + _choose(rng, page_cum, 1)[0]
        if a * shape.pages + p in seen:
            continue
        seen.add(a * shape.pages + p)
        w.writerow([person_id(a), page_id(p), "page", _iso(clock.at())])
        page_rows += 1
    fh.close()
    counts["follows"] = rows + page_rows

    fh, w = writer("blocks", ["blockerId", "blockedId", "since"])
    w.writerows(block_rows)
    fh.close()
    counts["blocks"] = len(block_rows)

    fh, w = writer("posts", ["id", "authorId", "visibility", "pageId", "createdAt"])
    authors = _choose(rng, cum, int(shape.posts * n))
    visibilities = rng.choices(["public", "followers", "connections", "private"], weights=[40, 30, 20, 10],
                               k=len(authors))
    for i, (r, vis) in enumerate(zip(authors, visibilities)):
        page = page_id(_choose(rng, page_cum, 1)[0] + big) if shape.pages > big and rng.random() < 0.1 else ""
        w.writerow([post_id(i), person_id(popularity[r]), vis, page, _iso(clock.at())])
    fh.close()
    counts["posts"] = len(authors)
    # What the benchmark needs to pick realistic and worst-case subjects.
    (out / "manifest.json").write_text(json.dumps({
        "shape": asdict(shape), "counts": counts, "hubs": [person_id(h) for h in hub_list],
        "twinHubs": [person_id(h) for h in hub_list[:2]],
        "bigPages": [page_id(p) for p in range(big)], "people": n, "posts": len(authors),
    }, indent=1))
    return counts


def _choose(rng: random.Random, cum: list[float], k: int) -> list[int]:
    """k indexes drawn with the cumulative weights `cum`."""
    if k <= 0:
        return []
    return rng.choices(range(len(cum)), cum_weights=cum, k=k)
