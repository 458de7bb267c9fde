"""`graphsvc import` and `graphsvc generate`: bulk loading, kept out of cli.py's way."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from ..people import ID_RE
from . import localdb


def _target(args: argparse.Namespace) -> tuple[str, tuple[str, str], str]:
    """Where to write: the named local instance (--instance), else NEO4J_URI, else the dev instance."""
    if args.instance:
        inst = localdb.instance(args.instance)
        return inst.uri, ("neo4j", inst.password), "neo4j"
    from .. import config

    settings = config.load()
    return settings.neo4j_uri, (settings.neo4j_user, settings.neo4j_password), settings.neo4j_database


def _import(args: argparse.Namespace) -> int:
    if args.offline:
        return _import_offline(args)
    from .importer import ImportError_, print_summary, run_import

    uri, auth, database = _target(args)
    try:
        summary = run_import(uri, auth, args.org, [Path(p) for p in args.paths], database=database,
                             batch_size=args.batch_size, parallel=args.parallel, quiet=args.quiet)
    except ImportError_ as exc:
        print(f"import: {exc}", file=sys.stderr)
        return 2
    print_summary(summary)
    if args.summary_json:
        Path(args.summary_json).write_text(json.dumps(summary.as_dict(), indent=1))
    return 0


def _import_offline(args: argparse.Namespace) -> int:
    """A new database for a local instance (--instance, default dev), built by neo4j-admin."""
    from .importer import ImportError_
    from .offline import print_summary, run_offline

    inst = localdb.instance(args.instance or "dev")
    try:
        summary = run_offline(inst, args.org, [Path(p) for p in args.paths], replace=args.replace,
                              heap=args.admin_heap, memory=args.admin_memory, admin_args=tuple(args.admin_arg),
                              keep_files=args.keep_files,
                              quiet=args.quiet)
    except ImportError_ as exc:
        print(f"import: {exc}", file=sys.stderr)
        return 2
    print_summary(summary)
    print(f"Neo4j {inst.name}: {inst.uri}")
    if args.summary_json:
        Path(args.summary_json).write_text(json.dumps(summary.as_dict(), indent=1))
    return 0


def _generate(args: argparse.Namespace) -> int:
    from .generate import Shape, generate

    out = Path(args.out) / f"{args.people}"
    try:
        shape = Shape(people=args.people, seed=args.seed, hub_degree=args.hub_degree)
    except ValueError as exc:
        print(f"generate: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    counts = generate(out, shape)
    print(f"generated {counts} in {time.perf_counter() - started:.1f}s under {out}", file=sys.stderr)
    if args.no_import:
        return 0
    args.paths = [str(out)]
    args.summary_json = args.summary_json or str(out / "import-summary.json")
    return _import(args)


def org_name(value: str) -> str:
    """Exactly the org names a token may carry: the org is the first part of stored keys
    (audienceKey), so a `|` in it could put one tenant's rows in another's index range."""
    if not ID_RE.fullmatch(value):
        raise argparse.ArgumentTypeError(f"{value!r} is not an org name (1-128 of A-Z a-z 0-9 _ - . :)")
    return value


def add_commands(sub: argparse._SubParsersAction) -> None:
    def common(p: argparse.ArgumentParser, org: str | None = None) -> None:
        p.add_argument("--org", type=org_name, required=org is None, default=org,
                       help="the tenant the rows belong to")
        p.add_argument("--instance", help="write to this local Neo4j instance (e.g. bench) instead of NEO4J_URI")
        p.add_argument("--batch-size", type=int, default=int(os.environ.get("GRAPHSVC_IMPORT_BATCH", 2000)))
        p.add_argument("--parallel", type=int, default=int(os.environ.get("GRAPHSVC_IMPORT_PARALLEL", 2)),
                       help="batches in flight at once (deadlocks between them are retried)")
        p.add_argument("--quiet", action="store_true", help="no progress bar")
        p.add_argument("--summary-json", help="also write the summary to this file")
        p.add_argument("--offline", action="store_true",
                       help="build a new database for the local instance (--instance, default dev) with "
                            "neo4j-admin: stops it for the build; refuses a database holding data")
        p.add_argument("--replace", action="store_true", help="--offline: replace a database that holds data")
        p.add_argument("--admin-heap", default=os.environ.get("GRAPHSVC_OFFLINE_HEAP", "1g"),
                       help="--offline: the JVM heap of neo4j-admin")
        p.add_argument("--admin-memory", default=os.environ.get("GRAPHSVC_OFFLINE_MEMORY", "4g"),
                       help="--offline: neo4j-admin's off-heap memory (--max-off-heap-memory)")
        p.add_argument("--admin-arg", action="append", default=[],
                       help="--offline: one more neo4j-admin import option, e.g. --admin-arg=--threads=4")
        p.add_argument("--keep-files", action="store_true", help="--offline: keep the converted CSV files")

    p = sub.add_parser("import", help="bulk-import people, pages, follows, connections, blocks, posts (CSV/JSONL)")
    p.add_argument("paths", nargs="+", help="files named <kind>.csv|.jsonl, or folders holding them")
    common(p)
    p.set_defaults(fn=_import)

    p = sub.add_parser("generate", help="generate a deterministic synthetic org and import it")
    p.add_argument("--people", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--hub-degree", type=int, default=None,
                   help="connections of each hub (default: 12%% of people); fixes hub size across graph sizes")
    p.add_argument("--out", default="bench-data", help="folder for the generated files (one subfolder per size)")
    p.add_argument("--no-import", action="store_true", help="only write the files")
    common(p, org="bench")
    p.set_defaults(fn=_generate)
