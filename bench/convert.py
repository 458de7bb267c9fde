"""The offline load's convert stage alone (graphsvc/ops/offline.py's Converter), timed.

    .venv/bin/python bench/convert.py bench-data/100000 [--out DIR] [--workers 2] [--profile FILE]

Writes neo4j-admin's CSV files to DIR (a temporary folder, removed, if not given) and
prints wall and CPU seconds (the forked workers' included), rows/s and a digest of each
file. Person keys and the load's "now" are made deterministic, so the digests of two
versions of the converter can be compared: equal digests, equal output.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import os
import random
import resource
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graphsvc.ops import offline
from graphsvc.ops.importer import find_files


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--org", default="bench")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--profile", type=Path, help="cProfile stats of the parent (use --workers 1)")
    args = parser.parse_args()
    generator = random.Random(42)
    uuid.uuid4 = lambda: uuid.UUID(int=generator.getrandbits(128), version=4)
    work = args.out or Path(tempfile.mkdtemp(prefix="convert-"))
    shutil.rmtree(work, ignore_errors=True)
    conv = offline.Converter(args.org, work, stream=io.StringIO(), quiet=True)
    conv.now = "2026-01-01T00:00:00.000000Z"
    conv.fresh_keys = (str(uuid.uuid4()) for _ in iter(int, 1))  # the same keys as a converter calling uuid4
    files = find_files([args.folder])
    cpu0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(conv.convert, files, workers=args.workers)
        profiler.dump_stats(args.profile)
    else:
        conv.convert(files, workers=args.workers)
    wall = time.perf_counter() - began
    cpu1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(b.ru_utime + b.ru_stime - a.ru_utime - a.ru_stime for a, b in zip(cpu0, cpu1))
    rows = sum(s.rows for s in conv.stats.values())
    print(f"convert: {rows:,} rows, {conv.relationships:,} relationships, {wall:.1f} s wall, {cpu:.1f} s CPU "
          f"({os.cpu_count()} cores, workers {args.workers}); {rows / wall:,.0f} rows/s, "
          f"{conv.relationships / wall:,.0f} relationships/s")
    print("  " + ", ".join(f"{s.kind} {s.seconds:.1f} s" for s in conv.stats.values() if s.rows))
    for name, out in sorted(conv.out.items()):
        digest = hashlib.sha256(out.path.read_bytes()).hexdigest()[:16]
        print(f"  {out.path.name:<16} {out.rows:>10,} rows multiline={out.multiline} sha256 {digest}")
    print("  admin args: " + " ".join(a.replace(str(work), "DIR") for a in conv.admin_args()))
    if not args.out:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
