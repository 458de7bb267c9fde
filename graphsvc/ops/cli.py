"""`graphsvc` on the command line: run the local Neo4j (and back it up), serve the API, mint dev tokens."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from .. import config
from . import localdb


def _db(args: argparse.Namespace) -> int:
    inst = localdb.instance(args.instance)
    if args.action == "start":
        if os.environ.get("NEO4J_URI") and args.instance == "dev":
            print(f"NEO4J_URI is set ({os.environ['NEO4J_URI']}): not starting the local Neo4j", file=sys.stderr)
            return 0
        localdb.start(inst)
        print(f"Neo4j {inst.name}: {inst.uri} (user neo4j, password in {inst.home / 'password'})")
        print(f"Neo4j Browser: {inst.http_url}/browser/  (connect to {inst.uri})")
    elif args.action == "stop":
        localdb.stop(inst)
    elif args.action == "status":
        pid = localdb.pid_of(inst)
        print(f"{inst.name}: {'running, pid %d, %s' % (pid, inst.uri) if pid else 'stopped'}")
        return 0 if pid else 3
    elif args.action == "reset":
        localdb.reset(inst)
    elif args.action == "fetch":
        localdb.fetch_jars()
    elif args.action == "backup":
        print(localdb.backup(inst, args.to, args.force))
    elif args.action == "restore":
        if not args.source:
            print("graphsvc db restore: --from FILE is required", file=sys.stderr)
            return 2
        localdb.restore(inst, args.source, args.force)
        print(f"Neo4j {inst.name}: restored from {args.source}; {inst.uri}")
        print("Restart the graphsvc processes that use it: their bookmarks name transactions the restored "
              "database never had, so they would wait on them.", file=sys.stderr)
    return 0


def _schema(args: argparse.Namespace) -> int:
    from ..db import Database

    async def run() -> None:
        db = Database(config.load())
        try:
            await db.apply_schema()
        finally:
            await db.close()

    asyncio.run(run())
    print("schema applied")
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = config.load()
    host = os.environ.get("GRAPHSVC_HOST", args.host)
    port = int(os.environ.get("GRAPHSVC_PORT", args.port))
    if not os.environ.get("GRAPHSVC_JWT_SECRET") and settings.jwt_secret and not settings.jwt_public_key:
        print("JWT secret: generated and kept in .graphsvc-secret. Mint a dev token with\n"
              "  .venv/bin/graphsvc token --sub usr_alice --org my-org", file=sys.stderr)
    # Keep-alive longer than a load balancer's idle timeout (60 s is common): the proxy,
    # not the service, closes idle connections, so a request is never sent on a
    # connection the service is closing at that instant (uvicorn's default is 5 s).
    # access_log=False: the app writes the one access line per request (JSON, with its request id).
    uvicorn.run("graphsvc.api.app:app", factory=True, host=host, port=port, workers=args.workers,
                log_level="info", access_log=False, timeout_graceful_shutdown=20, timeout_keep_alive=75)
    return 0


def _token(args: argparse.Namespace) -> int:
    from ..auth import mint

    settings = config.load()
    if not settings.jwt_secret:
        print("no HS256 secret configured (GRAPHSVC_JWT_SECRET)", file=sys.stderr)
        return 2
    print(mint(settings.jwt_secret, args.sub, args.org, args.role, args.email, args.ttl))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="graphsvc", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("db", help="the project's own local Neo4j")
    p.add_argument("action", choices=["start", "stop", "status", "reset", "fetch", "backup", "restore"])
    p.add_argument("--instance", default="dev", help="dev (fixed ports), test, bench, or any other name")
    p.add_argument("--to", type=Path, help="backup: the dump file to write (default .neo4j/backups/<instance>-<time>.dump)")
    p.add_argument("--from", dest="source", type=Path, help="restore: the dump file to load")
    p.add_argument("--force", action="store_true",
                   help="backup: replace an existing file; restore: replace a database that holds data")
    p.set_defaults(fn=_db)

    p = sub.add_parser("schema", help="apply cypher/schema to the configured Neo4j")
    p.set_defaults(fn=_schema)

    p = sub.add_parser("serve", help="serve the API with uvicorn")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.set_defaults(fn=_serve)

    p = sub.add_parser("token", help="mint a development JWT (HS256)")
    p.add_argument("--sub", required=True)
    p.add_argument("--org", required=True)
    p.add_argument("--role", default="customer", choices=["customer", "staff", "service", "analyst"])
    p.add_argument("--email")
    p.add_argument("--ttl", type=int, default=3600)
    p.set_defaults(fn=_token)

    from .check import add_command as add_check

    add_check(sub)

    from .cli_bulk import add_commands as add_bulk

    add_bulk(sub)

    from .cli_cypher import add_commands as add_analytics

    add_analytics(sub)

    args = parser.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
