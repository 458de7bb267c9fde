"""`graphsvc import --offline`: a fresh database for a local instance, built by neo4j-admin.

The transactional import (importer.py) writes through Cypher, a few thousand
relationships per second: a million-person org would take most of an hour. Neo4j's own
`neo4j-admin database import full` writes store files straight from CSV, far faster,
but only with the server stopped, only into an empty database, and knowing nothing of
the service's rules. So an offline load:

1. converts: reads the importer's input files through the same `normalised_rows` (a bad
   row stops it with its file and row number), applies in Python what the import
   statements do in Cypher (rows naming nobody, self-follows and -requests and a second
   live connection per pair are skipped; a block removes the follows and connections
   between the two; `org`, `Person.key`, `liveKey`, `respondedAt`, `status` defaults,
   each page's `followerCount`, `imported`, an active follow's `audienceKey` and `followersKey`, an
   accepted connection's FRIEND), and
   writes the admin importer's CSV under the instance's `offline/` folder. Nothing of
   the instance is touched yet;
2. refuses a database that holds data unless `replace`;
3. stops the instance (holding its start lock), moves the old store aside and runs
   neo4j-admin; if that fails the old store is put back, so no half-built database is
   ever left; then starts it;
4. applies the schema (every uniqueness constraint is checked over what was loaded)
   and waits for the indexes, after which `/readyz` answers 200;
5. makes FRIEND_TOP for the people with more friends than it keeps, through the same
   statement as every write (cypher/graph/refresh_tops).

The graph equals what `graphsvc import` of the same files makes in an empty database,
run serially (tests/test_offline_import.py compares the two, property by property, and
through the API); as there, no events are written.
"""

from __future__ import annotations

import csv
import functools
import logging
import multiprocessing
import os
import re
import shutil
import sys
import threading
import time
import uuid
from array import array
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, TextIO

import neo4j

from ..db import S, schema_statements
from ..db.schema import apply_one
from . import localdb
from .check import repair_friend_tops
from .importer import KINDS, ImportError_, Progress, Stats, count_rows, find_files, normalised_rows

# What the admin importer reads: one file per label or type, integer node ids in one space.
NODE_HEADERS = {
    "Person": [":ID", "org", "id", "email", "key", "createdAt:datetime", "protected:boolean"],
    "Page": [":ID", "org", "id", "name", "followerCount:long", "createdAt:datetime"],
    "Post": [":ID", "org", "id", "visibility", "createdAt:datetime"],
}
REL_HEADERS = {
    "FOLLOWS": [":START_ID", ":END_ID", "since:datetime", "status", "imported:boolean", "audienceKey", "followersKey"],
    "CONNECTED": [":START_ID", ":END_ID", "id", "org", "status", "liveKey", "message", "context",
                  "requestedAt:datetime", "respondedAt:datetime", "imported:boolean"],
    "FRIEND": [":START_ID", ":END_ID"],
    "BLOCKS": [":START_ID", ":END_ID", "since:datetime"],
    "AUTHORED": [":START_ID", ":END_ID"],
    "IN_PAGE": [":START_ID", ":END_ID"],
}
# A derived connection id ("con_" + 32 hex digits) is kept as the integer it spells: a
# tenth of the memory of the string, over the tens of millions a large org has.
_DERIVED_ID = re.compile(r"con_([0-9a-f]{32})")
_NEWLINE = re.compile(r"[\r\n]")
# What makes the csv module quote a value (or might): text without any is written as it stands.
_QUOTED = re.compile(r'[,"\r\n]')


class _Out:
    """One CSV file for the admin importer: header line, then rows; remembers whether a
    value spans lines (neo4j-admin must be told, and reads such files more slowly)."""

    def __init__(self, path: Path, header: list[str] | None):
        self.path, self.rows, self.multiline = path, 0, False
        self.fh: TextIO | None = None
        if header is not None:
            self.fh = path.open("w", newline="", encoding="utf-8")
            self.writer = csv.writer(self.fh, lineterminator="\n")
            self.writer.writerow(header)

    def plain(self) -> Callable[[str], int]:
        """The file's write, for whole lines whose values need no quoting (the caller counts
        them into `rows`)."""
        assert self.fh is not None
        return self.fh.write

    def write(self, values: list[Any], text: str | None = None) -> None:
        """One row; `text` its free-text value, the one that may hold a line break."""
        if text and not self.multiline and _NEWLINE.search(text):
            self.multiline = True
        self.writer.writerow(values)
        self.rows += 1

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None

    def record(self) -> tuple[Path, int, bool]:
        return self.path, self.rows, self.multiline

    @classmethod
    def written(cls, path: Path, rows: int, multiline: bool) -> "_Out":
        """A file another process wrote, as it reported it."""
        out = cls(path, None)
        out.rows, out.multiline = rows, multiline
        return out


def audience_key(org: str, kind: str, followed: str, follower_key: str) -> str:
    """An active follow's `audienceKey`, as the follow statements write it
    (cypher/schema/002_indexes): org | person or page | the followed person's key or the
    page's id, with `\\` and `|` escaped so that no followed prefixes another | the
    follower's key."""
    escaped = followed.replace("\\", "\\\\").replace("|", "\\|")
    return f"{org}|{kind}|{escaped}|{follower_key}"


# An ISO-8601 time as the importer accepts it (importer._ISO_TIME), its parts captured.
_TIME_PARTS = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
                         r"(?:Z|([+-])(\d{2})(?::?(\d{2}))?)?)?")
_EPOCH_DAY = date(1970, 1, 1).toordinal()


def followers_key(org: str, followed_key: str, since: str, follower_id: str, status: str = "active") -> str:
    """A person follow's `followersKey`, as the follow statements write it
    (cypher/schema/002_indexes): org | person (`request` if pending) | the followed person's key, escaped |
    `since` newest first as fixed-width digits (5·10^17 - epoch milliseconds, 1999999 -
    the nanoseconds below them, 200000 - offset seconds; no offset is UTC, as in Cypher) |
    the follower's id."""
    y, mo, d, h, mi, s, frac, sign, oh, om = _TIME_PARTS.fullmatch(since).groups()
    offset = 0 if sign is None else (1 if sign == "+" else -1) * (int(oh) * 3600 + int(om or 0) * 60)
    epoch = ((date(int(y), int(mo), int(d)).toordinal() - _EPOCH_DAY) * 86400
             + int(h or 0) * 3600 + int(mi or 0) * 60 + int(s or 0) - offset)
    nanos = int((frac or "0").ljust(9, "0"))
    millis = epoch * 1000 + nanos // 1000000
    escaped = followed_key.replace("\\", "\\\\").replace("|", "\\|")
    kind = "person" if status == "active" else "request"
    return (f"{org}|{kind}|{escaped}|{500000000000000000 - millis}{1999999 - nanos % 1000000}{200000 - offset}"
            f"|{follower_id}")


@functools.lru_cache(maxsize=65536)
def _day_seconds(day: str) -> int:
    return (date(int(day[:4]), int(day[5:7]), int(day[8:10])).toordinal() - _EPOCH_DAY) * 86400


def followers_rank(since: str) -> str:
    """The `since` part of followersKey (as followers_key writes it) of a validated time."""
    if len(since) == 20 and since[19] == "Z":  # the seconds form, UTC: no offset, no fraction
        epoch = _day_seconds(since[:10]) + int(since[11:13]) * 3600 + int(since[14:16]) * 60 + int(since[17:19])
        return f"{500000000000000000 - epoch * 1000}1999999200000"
    return followers_key("", "", since, "").split("|")[3]


def _fresh_keys() -> Iterator[str]:
    """Random (version 4) UUIDs as uuid.uuid4 makes them, the random bytes fetched from
    the system 64 KB at a time rather than 16 bytes a call."""
    while True:
        block = os.urandom(16 * 4096)
        for i in range(0, len(block), 16):
            yield str(uuid.UUID(bytes=block[i:i + 16], version=4))


def _flag(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


class Converter:
    """The importer's input, as the import statements would write it into an empty
    database, turned into the admin importer's files under `work`."""

    def __init__(self, org: str, work: Path, *, stream: Any = sys.stdout, quiet: bool = False):
        self.org, self.work, self.stream, self.quiet = org, work, stream, quiet
        # What Cypher's datetime() gives a row without a time: the moment of the load.
        self.now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self.people: dict[str, int] = {}  # id -> node id (0..n-1)
        self.keys: list[str] = []
        self.ids: list[str] = []  # node id -> user id
        self.pages: dict[str, int] = {}  # id -> index; node id = page_base + index
        self.page_rows: list[list[Any]] = []
        self.followers: list[int] = []
        self.page_base = self.post_base = 0
        self.blocked: set[int] = set()  # unordered pairs, lower * n + higher
        self.key_newline = False
        self.plain = not _QUOTED.search(org)
        self.fresh_keys: Iterator[str] = _fresh_keys()
        self.stats = {kind: Stats(kind) for kind in KINDS}
        self.out: dict[str, _Out] = {}

    # -- files ------------------------------------------------------------------------------------------------

    def _file(self, name: str) -> _Out:
        if name not in self.out:
            header = NODE_HEADERS.get(name) or REL_HEADERS[name]
            self.out[name] = _Out(self.work / f"{name.lower()}.csv", header)
        return self.out[name]

    def _rows(self, kind: str, files: list[Path], dedup: bool = True) -> Iterator[tuple[Path, int, dict]]:
        """(file, row number, row) of one kind; progress on the stream every 10,000 rows.
        `dedup=False`: the caller keeps the first row per key itself, on node numbers
        rather than strings (tens of millions of keys)."""
        stats = self.stats[kind]
        started = time.perf_counter()
        progress = Progress(kind, sum(count_rows(p) for p in files), self.stream, self.quiet)
        shown = 0
        for item in normalised_rows(kind, files, self.org, stats, dedup):
            yield item
            shown += 1
            if shown == 10_000:
                shown = 0
                progress.add(stats.rows - progress.done)
        progress.done = stats.rows
        progress.close()
        stats.seconds += time.perf_counter() - started

    def convert(self, files: dict[str, list[Path]], workers: int = 2) -> None:
        """Every kind, in an order that knows each row's fate when it is read: people,
        pages and blocks first; then follows and posts, and connections, which need only
        those, in `workers` processes at once (each forked with what was read so far)."""
        self.work.mkdir(parents=True, exist_ok=True)
        try:
            self.read_people(files.get("people", []))
            self.read_pages(files.get("pages", []))
            self.read_blocks(files.get("blocks", []))
            jobs = [("follows", "posts"), ("connections",)]
            if workers > 1:
                self._in_processes(jobs, files)
            else:
                for job in jobs:
                    self._job(job, files)
            self.write_pages()
        finally:
            for out in self.out.values():
                out.close()

    def _job(self, kinds: tuple[str, ...], files: dict[str, list[Path]]) -> None:
        for kind in kinds:
            getattr(self, f"read_{kind}")(files.get(kind, []))

    def _in_processes(self, jobs: list[tuple[str, ...]], files: dict[str, list[Path]]) -> None:
        """Each job in a forked process; what each read comes back as its stats, the
        files it wrote and (follows) the pages' follower counts. The first bad row found
        by any of them stops the load."""
        for out in self.out.values():
            if out.fh is not None:
                out.fh.flush()  # nothing buffered for a child to write a second time
        context = multiprocessing.get_context("fork")
        running = []
        for kinds in jobs:
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=self._child, args=(kinds, files, send), daemon=True)
            process.start()
            send.close()
            running.append((process, receive))
        errors = []
        for process, receive in running:
            try:
                outcome, payload = receive.recv()
            except EOFError:
                outcome, payload = "error", "a conversion process ended without a word"
            process.join()
            if outcome == "error":
                errors.append(payload)
            else:
                self._merge(payload)
        if errors:
            raise ImportError_(errors[0])

    def _child(self, kinds: tuple[str, ...], files: dict[str, list[Path]], send: Any) -> None:
        before = set(self.out)
        deleted = self.stats["blocks"].deleted
        try:
            self._job(kinds, files)
            mine = {name: out for name, out in self.out.items() if name not in before}
            for out in mine.values():
                out.close()
            send.send(("ok", {"stats": {k: self.stats[k] for k in kinds},
                              "deleted": self.stats["blocks"].deleted - deleted,
                              "followers": self.followers if "follows" in kinds else None,
                              "files": {name: out.record() for name, out in mine.items()}}))
        except ImportError_ as exc:
            send.send(("error", str(exc)))
        except BaseException as exc:  # reported to the parent, which stops the load with it
            send.send(("error", f"{type(exc).__name__}: {exc}"))
        finally:
            send.close()
            os._exit(0)  # no exit handlers: the parent's open files are the parent's

    def _merge(self, payload: dict) -> None:
        self.stats.update(payload["stats"])
        self.stats["blocks"].deleted += payload["deleted"]
        if payload["followers"] is not None:
            self.followers = payload["followers"]
        for name, record in payload["files"].items():
            self.out[name] = _Out.written(*record)

    # -- nodes ------------------------------------------------------------------------------------------------

    def read_people(self, files: list[Path]) -> None:
        """importer/people: merged on id (first row wins); an email only for the first
        person holding it; `key` from the input or a fresh UUID; `protected` when given."""
        stats, out = self.stats["people"], self._file("Person")
        emails: set[str] = set()
        keys: set[str] = set()
        people, all_keys, ids, org, now = self.people, self.keys, self.ids, self.org, self.now
        write, quoted, fresh = out.plain(), _QUOTED.search, self.fresh_keys
        # Ids, emails (EMAIL_RE) and validated times never need quoting; an org or key may.
        plain = self.plain
        for path, n, row in self._rows("people", files):
            key = row["key"]
            if key is not None:
                # liveKey (unique across the database) is built from keys: two alike would
                # fail its constraint after the load, so they are a bad row here.
                if key in keys:
                    raise ImportError_(f"{path}: row {n}: key repeats another person's key")
                keys.add(key)
            else:
                key = next(fresh)
            email = row["email"]
            if email is not None:
                if email in emails:
                    email = None
                else:
                    emails.add(email)
            node = len(people)
            user = row["id"]
            people[user] = node
            all_keys.append(key)
            ids.append(user)
            if self.plain and not quoted(key):
                write(f"{node},{org},{user},{email or ''},{key},{row['createdAt'] or now},"
                      f"{_flag(row['protected'])}\n")
                out.rows += 1
            else:
                plain = False
                out.write([node, org, user, email, key, row["createdAt"] or now, _flag(row["protected"])], key)
        stats.written += len(people)
        stats.nodes += len(people)
        self.page_base = len(people)
        # A key with a line break makes the follows' audienceKey span lines too.
        self.key_newline = out.multiline
        self.plain = plain

    def read_pages(self, files: list[Path]) -> None:
        """importer/pages: merged on id; followerCount is written once the follows are read."""
        stats = self.stats["pages"]
        for _, _, row in self._rows("pages", files):
            self.pages[row["id"]] = len(self.page_rows)
            self.page_rows.append([row["id"], row["name"], row["createdAt"] or self.now])
            self.followers.append(0)
            stats.written += 1
            stats.nodes += 1
        self.post_base = self.page_base + len(self.page_rows)

    def write_pages(self) -> None:
        out = self._file("Page")
        for i, (page_id, name, created) in enumerate(self.page_rows):
            out.write([self.page_base + i, self.org, page_id, name, self.followers[i], created], name)

    def read_posts(self, files: list[Path]) -> None:
        """importer/posts: skipped when the author, or a page named, is unknown."""
        stats, out = self.stats["posts"], self._file("Post")
        authored, in_page = self._file("AUTHORED"), self._file("IN_PAGE")
        node = first = self.post_base
        people, pages, page_base, org, now = self.people, self.pages, self.page_base, self.org, self.now
        in_pages = 0
        plain = self.plain
        write_post, write_authored, write_in_page = out.plain(), authored.plain(), in_page.plain()
        for _, _, row in self._rows("posts", files):
            author = people.get(row["authorId"])
            page_id = row["pageId"]
            page = pages.get(page_id) if page_id is not None else None
            if author is None or (page_id is not None and page is None):
                continue
            if plain:
                write_post(f"{node},{org},{row['id']},{row['visibility']},{row['createdAt'] or now}\n")
                out.rows += 1
            else:
                out.write([node, org, row["id"], row["visibility"], row["createdAt"] or now])
            write_authored(f"{author},{node}\n")
            if page is not None:
                write_in_page(f"{node},{page_base + page}\n")
                in_pages += 1
            node += 1
        posts = node - first
        authored.rows += posts
        in_page.rows += in_pages
        stats.written += posts
        stats.nodes += posts
        stats.relationships += posts + in_pages

    # -- relationships ----------------------------------------------------------------------------------------

    def _pair(self, a: int, b: int) -> int:
        return a * len(self.people) + b if a < b else b * len(self.people) + a

    def read_blocks(self, files: list[Path]) -> None:
        """importer/blocks: between two known, different people."""
        stats, out = self.stats["blocks"], self._file("BLOCKS")
        for _, _, row in self._rows("blocks", files):
            a, b = self.people.get(row["blockerId"]), self.people.get(row["blockedId"])
            if a is None or b is None or a == b:
                continue
            out.write([a, b, row["since"] or self.now])
            self.blocked.add(self._pair(a, b))
            stats.written += 1
            stats.relationships += 1

    def read_follows(self, files: list[Path]) -> None:
        """importer/follows_person and follows_page. A follow between two people a block
        stands between is made and then removed by the block, as in the transactional
        import: counted as written and deleted, not loaded."""
        stats, out = self.stats["follows"], self._file("FOLLOWS")
        org, now, people, pages, keys, ids = self.org, self.now, self.people, self.pages, self.keys, self.ids
        page_base, post_base, n = self.page_base, self.post_base, len(self.people)
        blocked, followers, plain, write = self.blocked, self.followers, self.plain, out.plain()

        def escaped(text: str) -> str:
            return text.replace("\\", "\\\\").replace("|", "\\|")

        # Per followed node, what its audienceKey and an active followersKey begin with.
        prefix = ([f"{org}|person|{escaped(key)}|" for key in keys]
                  + [f"{org}|page|{escaped(page[0])}|" for page in self.page_rows])
        seen: set[int] = set()  # follower * post_base + followed node: the importer's (follower, type, followed)
        written = removed = 0
        for _, _, row in self._rows("follows", files, dedup=False):
            a = people.get(row["followerId"])
            if a is None:
                continue
            if row["followingType"] == "page":
                page = pages.get(row["followingId"])
                if page is None:
                    continue
                target = page_base + page
            else:
                target = people.get(row["followingId"])
                if target is None or a == target:
                    continue
            key = a * post_base + target
            if key in seen:
                continue
            seen.add(key)
            if target >= page_base:
                followers[target - page_base] += 1
            elif (a * n + target if a < target else target * n + a) in blocked:
                removed += 1
                continue
            status, since = row["status"], row["since"] or now
            audience = ranked = None
            if status == "active":
                audience = prefix[target] + keys[a]
                if target < page_base:
                    ranked = prefix[target] + followers_rank(since) + "|" + ids[a]
            elif target < page_base:
                ranked = followers_key(org, keys[target], since, ids[a], status)
            if plain:
                write(f"{a},{target},{since},{status},true,{audience or ''},{ranked or ''}\n")
                out.rows += 1
            else:
                out.write([a, target, since, status, "true", audience, ranked],
                          audience if self.key_newline else None)
            written += 1
        stats.written += written + removed
        stats.relationships += written + removed
        self.stats["blocks"].deleted += removed

    def read_connections(self, files: list[Path]) -> None:
        """importer/connections: the importer's first row per key (a rejected row's id,
        whether or not it names anyone; a live row's pair of people), then merged on the
        connection id, so a row repeating an id between the same two people (same
        direction) changes nothing, and one naming another pair is refused, as the
        connection_id constraint refuses it."""
        stats, out = self.stats["connections"], self._file("CONNECTED")
        org, now, people, keys, blocked = self.org, self.now, self.people, self.keys, self.blocked
        plain, write, quoted, derived_id = self.plain, out.plain(), _QUOTED.search, _DERIVED_ID.fullmatch
        n = len(people)
        ids: dict[int | str, int] = {}  # connection id -> directed pair a * n + b
        rejected: set[int | str] = set()
        live: set[int] = set()
        friends = array("q")  # each FRIEND as its directed pair a * n + b
        written = relationships = removed = 0
        for path, line, row in self._rows("connections", files, dedup=False):
            given = row["id"]
            derived = derived_id(given)
            cid: int | str = int(derived.group(1), 16) if derived else given
            status = row["status"]
            if status == "rejected":
                if cid in rejected:
                    continue
                rejected.add(cid)
            a, b = people.get(row["requesterId"]), people.get(row["targetId"])
            if a is None or b is None or a == b:
                continue
            pair = a * n + b if a < b else b * n + a
            if status != "rejected":
                if pair in live:
                    continue
                live.add(pair)
            known = ids.get(cid)
            if known is not None:
                if known != a * n + b:
                    raise ImportError_(f"{path}: row {line}: connection id {given} is already another pair's")
                written += 1
                continue
            ids[cid] = a * n + b
            written += 1
            # An accepted one is two relationships, its CONNECTED and its FRIEND, as the
            # import statement's counters say.
            both = 2 if status == "accepted" else 1
            relationships += both
            if pair in blocked:
                removed += both
                continue
            live_key = None
            if status != "rejected":
                ka, kb = keys[a], keys[b]
                live_key = f"{ka}:{kb}" if ka < kb else f"{kb}:{ka}"
            requested = row["requestedAt"] or now
            responded = None if status == "pending" else (row["respondedAt"] or requested)
            message, context = row["message"], row["context"]
            if plain and not (message and quoted(message)) and not (context and quoted(context)):
                write(f"{a},{b},{given},{org},{status},{live_key or ''},{message or ''},{context or ''},{requested},"
                      f"{responded or ''},true\n")
                out.rows += 1
            else:
                out.write([a, b, given, org, status, live_key, message, context, requested, responded, "true"],
                          message)
            if status == "accepted":
                friends.append(a * n + b)
        for done in (ids, live, rejected):  # the sort below wants their memory
            done.clear()
        if friends:
            self.write_friends(friends, n)
        stats.written += written
        stats.relationships += relationships
        self.stats["blocks"].deleted += removed

    def write_friends(self, pairs: array, n: int) -> None:
        """FRIEND rows grouped by their busier end (the smaller node number on a tie):
        neo4j-admin numbers relationships in the order it reads them, so a hub's friends
        end up side by side in the store, and a walk over them reads a few pages instead
        of one page per friend."""
        degree = array("i", bytes(4 * n))
        for pair in pairs:
            degree[pair // n] += 1
            degree[pair % n] += 1
        owner = array("i", bytes(4 * len(pairs)))
        start = array("i", bytes(4 * (n + 1)))
        for i, pair in enumerate(pairs):
            a, b = divmod(pair, n)
            o = a if degree[a] > degree[b] or (degree[a] == degree[b] and a < b) else b
            owner[i] = o
            start[o + 1] += 1
        for o in range(n):
            start[o + 1] += start[o]
        ordered = array("q", bytes(8 * len(pairs)))
        for i, pair in enumerate(pairs):
            o = owner[i]
            ordered[start[o]] = pair
            start[o] += 1
        out = self._file("FRIEND")
        write = out.plain()
        for pair in ordered:
            a, b = divmod(pair, n)
            write(f"{a},{b}\n")
        out.rows += len(ordered)

    # -- for neo4j-admin --------------------------------------------------------------------------------------

    def admin_args(self) -> list[str]:
        """--nodes/--relationships for every file with rows, and the files whose values
        span lines (read as multi-line only where needed)."""
        args = []
        for name, out in self.out.items():
            if out.rows:
                option = "--nodes" if name in NODE_HEADERS else "--relationships"
                args.append(f"{option}={name}={out.path}")
        multiline = [str(out.path) for out in self.out.values() if out.rows and out.multiline]
        if multiline:
            args += ["--multiline-fields-format=v2", "--multiline-fields=" + ",".join(multiline)]
        return args

    @property
    def nodes(self) -> int:
        return sum(out.rows for name, out in self.out.items() if name in NODE_HEADERS)

    @property
    def relationships(self) -> int:
        return sum(out.rows for name, out in self.out.items() if name in REL_HEADERS)


@dataclass
class OfflineSummary:
    kinds: list[Stats] = field(default_factory=list)
    stages: dict[str, float] = field(default_factory=dict)  # seconds: convert, admin, restart, schema, tops
    nodes: int = 0
    relationships: int = 0
    seconds: float = 0.0

    @property
    def admin_rate(self) -> float | None:
        return self.relationships / self.stages["admin"] if self.stages.get("admin") else None

    def as_dict(self) -> dict:
        return {
            "mode": "offline", "seconds": round(self.seconds, 2), "nodes": self.nodes,
            "relationships": self.relationships,
            "stages": {k: round(v, 2) for k, v in self.stages.items()},
            "relationshipsPerSecond": round(self.relationships / self.seconds) if self.seconds else None,
            "adminRelationshipsPerSecond": round(self.admin_rate) if self.admin_rate else None,
            "kinds": [{**s.__dict__, "skipped": s.skipped} for s in self.kinds],
        }


def print_summary(summary: OfflineSummary, stream: Any = sys.stdout) -> None:
    print("offline import summary", file=stream)
    for stats in summary.kinds:
        print("  " + stats.line(), file=stream)
    stages = ", ".join(f"{k} {v:.1f}s" for k, v in summary.stages.items())
    rate = summary.as_dict()
    print(f"  {summary.nodes:,} nodes and {summary.relationships:,} relationships loaded; {stages}", file=stream)
    print(f"  total {summary.seconds:.1f}s from files to a ready database: {rate['relationshipsPerSecond']:,} "
          f"relationships/s overall, {rate['adminRelationshipsPerSecond'] or 0:,} relationships/s in neo4j-admin",
          file=stream)


# ---- the instance ------------------------------------------------------------------------------------------

def _holds_data(inst: localdb.Instance, database: str) -> bool:
    """Whether the instance's database has any node; an instance that never ran has none."""
    if not localdb.store_paths(inst, database)[0].exists():
        return False
    localdb.start(inst)
    return localdb.holds_data(inst, database)


def _admin_echo(stream: Any, quiet: bool, log: TextIO) -> Callable[[str], None]:
    """neo4j-admin's output: all of it to the log file, its stage lines to `stream`."""
    def echo(line: str) -> None:
        log.write(line + "\n")
        if quiet or not line.strip() or line.lstrip().startswith((".", "-")):
            return
        print(f"  neo4j-admin: {line}", file=stream, flush=True)
    return echo


def build(inst: localdb.Instance, conv: Converter, *, database: str = "neo4j", heap: str = "1g",
          memory: str = "4g", admin_args: tuple[str, ...] = (), stream: Any = sys.stdout,
          quiet: bool = False) -> float:
    """Swap the converted files in as the instance's database: stop, move the old store
    aside, neo4j-admin, then drop the old store, or put it back if neo4j-admin failed.
    `memory` caps neo4j-admin's off-heap memory (its own default, 90% of what is free, is
    too greedy for a shared machine). The seconds neo4j-admin took."""
    aside = inst.home / "offline-previous"
    shutil.rmtree(aside, ignore_errors=True)
    # The converter numbers nodes 0..n-1 in one space, so they are neo4j-admin's node ids
    # as they stand (`actual`): no id-mapping stage.
    args = ["database", "import", "full", database, "--overwrite-destination=true", "--id-type=actual",
            "--bad-tolerance=0", f"--report-file={conv.work / 'import.report'}", f"--max-off-heap-memory={memory}",
            *conv.admin_args(), *admin_args]
    with localdb._offline(inst), open(conv.work / "neo4j-admin.log", "w") as log:
        moved = []
        for path in localdb.store_paths(inst, database):
            if path.exists():
                target = aside / path.parent.name
                target.mkdir(parents=True, exist_ok=True)
                moved.append((path, target / path.name))
                path.rename(target / path.name)
        began = time.perf_counter()
        status, tail = localdb.run_admin(inst, *args, heap=heap, on_line=_admin_echo(stream, quiet, log))
        seconds = time.perf_counter() - began
        if status != 0:
            for path in localdb.store_paths(inst, database):
                shutil.rmtree(path, ignore_errors=True)
            for original, kept in moved:
                kept.rename(original)
            shutil.rmtree(aside, ignore_errors=True)
            detail = " / ".join([line.strip() for line in tail
                                 if line.strip() and not line.startswith(("..", "-"))][-6:])
            raise ImportError_(f"neo4j-admin import failed (exit {status}), the database is as it was: {detail}")
    shutil.rmtree(aside, ignore_errors=True)
    return seconds


# What a schema statement is on: the label of `FOR (p:Person)`, the type of `FOR ()-[c:CONNECTED]-()`.
_SCHEMA_TARGET = re.compile(r"\bFOR\s*\(\w*:(\w+)\)|\bFOR\s*\(\)-\[\w*:(\w+)\]", re.I)
_CONSTRAINT = re.compile(r"\bCREATE\s+CONSTRAINT\b", re.I)
_INDEX_NAME = re.compile(r"\bCREATE\s+(?:\w+\s+)?INDEX\s+(\w+)", re.I)


def _target(statement: str) -> str:
    match = _SCHEMA_TARGET.search(statement)
    return (match.group(1) or match.group(2)) if match else ""


def schema_plan(statements: list[str], sizes: dict[str, int], lanes: int) -> list[list[str]]:
    """The schema statements of an offline load in `lanes` sequences that run side by side,
    each statement after the one before it in its lane is online.

    Neo4j populates as many indexes at once as it has cores and queues the rest in the order
    they were made; a constraint populates its index inside its own creation, and two on one
    label or type wait for each other. Left to that queue, the two constraints on CONNECTED
    (the longest chain) started a minute late and ran one after the other at the end. So the
    jobs (each plain index; the constraints of one label or type, in file order) are sized
    by the nodes or relationships they read and dealt longest first to the lane with the
    least work (LPT), and each lane makes its next rule only when its last is online."""
    jobs: dict[str, list[str]] = {}
    for statement in statements:
        key = _target(statement) if _CONSTRAINT.search(statement) else statement
        jobs.setdefault(key, []).append(statement)

    def cost(job: list[str]) -> int:
        return sizes.get(_target(job[0]), 0) * len(job)
    ordered = sorted(jobs.values(), key=cost, reverse=True)
    plan: list[list[str]] = [[] for _ in range(max(1, min(lanes, len(ordered))))]
    work = [0] * len(plan)
    for job in ordered:
        # Ties (empty labels, or no sizes at all) go to the lane with the fewest statements.
        lane = min(range(len(plan)), key=lambda i: (work[i], len(plan[i])))
        plan[lane] += job
        work[lane] += cost(job)
    return plan


def _ready(inst: localdb.Instance, database: str) -> None:
    """The schema over the loaded graph (uniqueness checked as each constraint is made),
    in `schema_plan`'s lanes, then every index online."""
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    with neo4j.GraphDatabase.driver(inst.uri, auth=("neo4j", inst.password), notifications_min_severity="OFF",
                                    max_transaction_retry_time=600.0) as driver:
        with driver.session(database=database) as session:
            sizes = dict(S.offline.schema_sizes.run(session).single()["sizes"])

        failed = threading.Event()

        def lane(statements: list[str]) -> None:
            try:
                for statement in statements:
                    if failed.is_set():  # another lane's rule failed: the load fails, stop making more
                        return
                    apply_one(driver, statement, database)
                    index = _INDEX_NAME.search(statement)  # a constraint is online once made
                    if index:
                        with driver.session(database=database) as session:
                            S.offline.await_index.run(session, name=index.group(1), seconds=3600).consume()
            except BaseException:
                failed.set()
                raise

        plan = schema_plan(schema_statements(), sizes, os.cpu_count() or 1)
        with ThreadPoolExecutor(len(plan)) as pool:
            list(pool.map(lane, plan))
        with driver.session(database=database) as session:
            S.offline.await_indexes.run(session, seconds=3600).consume()


def run_offline(inst: localdb.Instance, org: str, paths: list[Path], *, replace: bool = False,
                database: str = "neo4j", heap: str = "1g", memory: str = "4g", admin_args: tuple[str, ...] = (),
                keep_files: bool = False, stream: Any = sys.stdout, quiet: bool = False) -> OfflineSummary:
    """Build `database` of the local instance `inst` from the importer's files, for `org`."""
    started = time.perf_counter()
    summary = OfflineSummary()
    files = find_files(paths)
    if not any(files.values()):
        raise ImportError_("no input files found")
    localdb.fetch_jars()
    localdb.admin_ready(inst)
    refusal = (f"the {database} database of instance {inst.name} holds data; an offline import builds a new "
               "database: pass --replace to replace it")
    if not replace and _holds_data(inst, database):
        raise ImportError_(refusal)
    work = inst.home / "offline"
    shutil.rmtree(work, ignore_errors=True)
    conv = Converter(org, work, stream=stream, quiet=quiet)
    try:
        conv.convert(files, workers=int(os.environ.get("GRAPHSVC_OFFLINE_WORKERS", min(2, os.cpu_count() or 1))))
        summary.kinds = [conv.stats[k] for k in KINDS if files.get(k)]
        summary.stages["convert"] = time.perf_counter() - started
        if conv.nodes == 0:
            raise ImportError_("nothing to load: no person, page or post")
        if not replace and _holds_data(inst, database):  # written to while the files were converted
            raise ImportError_(refusal)
        mark = time.perf_counter()
        summary.stages["admin"] = build(inst, conv, database=database, heap=heap, memory=memory,
                                        admin_args=admin_args, stream=stream, quiet=quiet)
        summary.stages["restart"] = time.perf_counter() - mark - summary.stages["admin"]
    finally:
        if not keep_files:
            shutil.rmtree(work, ignore_errors=True)
    mark = time.perf_counter()
    localdb.start(inst)  # already done if the instance was running: it is started again as it was stopped
    summary.stages["restart"] += time.perf_counter() - mark
    mark = time.perf_counter()
    _ready(inst, database)
    summary.stages["schema"] = time.perf_counter() - mark
    mark = time.perf_counter()
    with neo4j.GraphDatabase.driver(inst.uri, auth=("neo4j", inst.password), notifications_min_severity="OFF") as driver:
        repair_friend_tops(driver, database, org)
    summary.stages["tops"] = time.perf_counter() - mark
    summary.nodes, summary.relationships = conv.nodes, conv.relationships
    summary.seconds = time.perf_counter() - started
    return summary
