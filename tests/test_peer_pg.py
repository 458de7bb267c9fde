"""The PostgreSQL peer of `make bench-peers` (bench/peer_pg.py) on a small generated org:
PostgreSQL starts from nothing through the project's own code, loads the files
`graphsvc generate` writes with COPY, and every operation the benchmark times answers
what graphsvc's domain functions answer on the same org in Neo4j. The benchmark runs
the same check before it times anything; here it keeps the peer from rotting."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import neo4j
import pytest

from bench import peer_pg

from .conftest import ROOT

PEOPLE = 600
SAMPLES = 20


def run_cli(neo4j_target, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "NEO4J_URI": neo4j_target.uri, "NEO4J_USER": neo4j_target.user,
           "NEO4J_PASSWORD": neo4j_target.password}
    return subprocess.run([sys.executable, "-m", "graphsvc", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)


def protect_some(folder: Path) -> None:
    """Every 40th person protected, and half the follows to them still pending: the rows
    `status` and `protected` exist for, which the generator does not write."""
    people = list(csv.reader((folder / "people.csv").open(newline="")))
    protected = {row[0] for i, row in enumerate(people[1:]) if i % 40 == 7}
    with (folder / "people.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(people[0] + ["protected"])
        w.writerows(row + ["true" if row[0] in protected else ""] for row in people[1:])
    follows = list(csv.reader((folder / "follows.csv").open(newline="")))
    with (folder / "follows.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(follows[0] + ["status"])
        w.writerows(row + ["pending" if row[1] in protected and i % 2 else ""] for i, row in enumerate(follows[1:]))


@pytest.fixture(scope="module")
def peer(neo4j_target, tmp_path_factory):
    """(org, folder, cluster): one generated org in the test Neo4j and in a PostgreSQL
    cluster of its own, initdb'd for this run and removed after it."""
    org = "org-peer-" + uuid.uuid4().hex[:8]
    out = tmp_path_factory.mktemp("peer")
    done = run_cli(neo4j_target, "generate", "--people", str(PEOPLE), "--org", org, "--out", str(out), "--no-import")
    assert done.returncode == 0, done.stderr
    folder = out / str(PEOPLE)
    protect_some(folder)
    done = run_cli(neo4j_target, "import", str(folder), "--org", org, "--quiet")
    assert done.returncode == 0, done.stderr
    cluster = peer_pg.Cluster(f"test-{os.getpid()}-{uuid.uuid4().hex[:6]}")
    assert not cluster.home.exists()
    try:
        cluster.start()
        yield org, folder, cluster
    finally:
        cluster.reset()


async def _check(neo4j_target, org: str, cluster: peer_pg.Cluster, hubs: list[str]) -> dict:
    driver = neo4j.AsyncGraphDatabase.driver(neo4j_target.uri, auth=(neo4j_target.user, neo4j_target.password),
                                            notifications_min_severity="OFF")
    pg = peer_pg.Peer(cluster.dsn, org)
    try:
        return await peer_pg.check(pg, peer_pg.Graphsvc(driver, org), SAMPLES, hubs, quiet=True, recursive_every=5)
    finally:
        await pg.close()
        await driver.close()


def _graph_counts(driver, org: str) -> tuple:
    row = driver.execute_query(
        "MATCH (p:Person {org: $org}) RETURN sum(COUNT { (p)-[:FOLLOWS]->() }) AS follows, "
        "sum(COUNT { (p)-[c:CONNECTED]->() WHERE c.status = 'accepted' }) AS accepted", org=org).records[0]
    return row["follows"], row["accepted"]


def _pg_counts(cluster: peer_pg.Cluster) -> tuple:
    import psycopg

    with psycopg.connect(cluster.dsn) as conn:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("follow", "page_follow", "friend", "connection"))


def test_the_peer_starts_from_nothing_loads_with_copy_and_answers_as_graphsvc(peer, neo4j_target, driver):
    import psycopg

    org, folder, cluster = peer
    assert cluster.running() and cluster.port
    with psycopg.connect(cluster.dsn) as conn:
        assert conn.execute("SHOW listen_addresses").fetchone()[0] == "127.0.0.1"
        assert conn.execute("SHOW jit").fetchone()[0] == "off"
    loaded = peer_pg.load(cluster.dsn, org, folder, quiet=True)
    assert loaded["rows"]["person"] == PEOPLE
    assert loaded["rows"]["friend"] == 2 * _graph_counts(driver, org)[1]
    assert loaded["rows"]["follow"] + loaded["rows"]["page_follow"] == _graph_counts(driver, org)[0]
    assert peer_pg.loaded_digest(cluster.dsn, org) == peer_pg.digest(peer_pg.data_files(folder))

    before_graph, before_pg = _graph_counts(driver, org), _pg_counts(cluster)
    hubs = json.loads((folder / "manifest.json").read_text())["hubs"]
    report = asyncio.run(_check(neo4j_target, org, cluster, hubs))
    print(json.dumps(report))

    for op in ("visibility_1", "visibility_1000", "mutual", "degree", "followers_page1", "followers_deep",
               "suggestions", "follow", "request_accept"):
        assert report[op]["samples"] >= SAMPLES, (op, report[op])
    assert report["degree_recursive"]["samples"] >= SAMPLES // 5 * 3
    # Every rule and outcome came up, so the agreement is not one of empty answers.
    assert set(report["visibility_1"]["seen"]) == {"author", "blocked", "public", "private", "unknown_viewer",
                                                   "connection", "not_connected", "follower", "page_follower",
                                                   "not_follower"}
    assert "not_found" in report["visibility_1000"]["seen"]
    assert {"1", "2", "3"} <= set(report["degree"]["seen"])
    assert report["degree_6"]["samples"] >= SAMPLES and report["degree_6_recursive"]["samples"] >= 1
    assert {"created", "exists", "pending", "requested", "blocked", "self"} <= set(report["follow"]["seen"])
    assert {"created+accepted", "connected", "pending", "blocked"} <= set(report["request_accept"]["seen"])
    assert report["mutual"]["seen"].get("some") and report["suggestions"]["seen"].get("some")
    # graphsvc's caps (binding nowhere in 600 people) and small ones that bind, both stores
    # cutting in key order: compared with the caps on, none lifted.
    assert report["suggestionCaps"].startswith("graphsvc's") and "cut in key order" in report["suggestionCaps"]

    # The check's writes were undone in both stores.
    assert _graph_counts(driver, org) == before_graph
    assert _pg_counts(cluster) == before_pg


def test_a_different_answer_stops_the_check_and_names_the_input(peer, neo4j_target):
    """The check can fail: one friendship missing in PostgreSQL is a degree mismatch on that pair."""
    import psycopg

    org, folder, cluster = peer
    if peer_pg.loaded_digest(cluster.dsn, org) is None:
        peer_pg.load(cluster.dsn, org, folder, quiet=True)
    with psycopg.connect(cluster.dsn) as conn:
        a, b, ia, ib = conn.execute(
            "SELECT x.ext_id, y.ext_id, x.pk, y.pk FROM friend f JOIN person x ON x.pk = f.a "
            "JOIN person y ON y.pk = f.b WHERE x.org = %s ORDER BY f.a, f.b LIMIT 1", (org,)).fetchone()
        conn.execute("DELETE FROM friend WHERE (a, b) IN ((%s, %s), (%s, %s))", (ia, ib, ib, ia))

    async def degree_of_that_pair() -> None:
        driver = neo4j.AsyncGraphDatabase.driver(neo4j_target.uri,
                                                auth=(neo4j_target.user, neo4j_target.password))
        pg = peer_pg.Peer(cluster.dsn, org)
        try:
            checker = peer_pg.Checker(pg, peer_pg.Graphsvc(driver, org), n=0)
            await checker.setup()
            checker.pairs = [(a, b, None)]
            await checker.degree()
        finally:
            await pg.close()
            await driver.close()

    try:
        with pytest.raises(peer_pg.Mismatch) as caught:
            asyncio.run(degree_of_that_pair())
        assert caught.value.op == "degree" and caught.value.given == (a, b)
        assert caught.value.graphsvc == 1 and caught.value.postgres != 1
        assert f"{(a, b)!r}" in str(caught.value)
    finally:
        with psycopg.connect(cluster.dsn) as conn:
            conn.execute("INSERT INTO friend (a, b) VALUES (%s, %s), (%s, %s)", (ia, ib, ib, ia))
