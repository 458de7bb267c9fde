"""The importer's fast line reader (one regular expression per header) makes exactly the row
the csv module and the normalisers make, or leaves the line to them: it is a second reading
of the same rules, so every line it accepts is checked against the first."""

from __future__ import annotations

import csv
import io
import itertools

import pytest

from graphsvc.ops.importer import NORMALISE, ImportError_, _fast_line

ORG = "org-fast"
HEADERS = {
    "people": ["id", "email", "key", "createdAt", "protected"],
    "follows": ["followerId", "followingId", "followingType", "since", "status"],
    "connections": ["requesterId", "targetId", "status", "message", "requestedAt", "respondedAt", "id"],
    "posts": ["id", "authorId", "visibility", "pageId", "createdAt"],
}
# Values each column is tried with: valid ones, edge forms and invalid ones.
VALUES = {
    "id": ["usr_1", "", "a.b:c-d_e", "x" * 129, "bad id"], "followerId": ["usr_1", "", "bad id"],
    "followingId": ["usr_2", "pg_1", ""], "requesterId": ["usr_1", ""], "targetId": ["usr_2", "usr_1"],
    "authorId": ["usr_1", ""], "pageId": ["", "pg_1", "bad id"],
    "email": ["", "Ann@Example.com", "not-an-email", "a@b"], "key": ["", "k-1"],
    "createdAt": ["", "2025-01-02T03:04:05Z", "2025-02-30T00:00:00Z", "2025-01-02", "2025-01-02T24:00:00Z"],
    "since": ["", "2025-01-02T03:04:05Z", "2025-13-01T00:00:00Z"],
    "requestedAt": ["", "2025-01-02T03:04:05Z", "2025-02-29T00:00:00Z"], "respondedAt": ["", "2024-02-29T00:00:00Z"],
    "protected": ["", "true", "false", "yes"], "followingType": ["", "person", "page", "group"],
    "status": ["", "active", "pending", "accepted", "rejected", "maybe"],
    "visibility": ["", "public", "private", "secret"], "message": ["", "hello there", "é ünïcode"],
}


def slow(kind: str, header: list[str], line: str):
    values = next(csv.reader(io.StringIO(line)))
    try:
        return NORMALISE[kind](dict(zip(header, values)), ORG)
    except ImportError_ as exc:
        return ("refused", str(exc))


@pytest.mark.parametrize("kind", list(HEADERS))
def test_every_line_the_fast_reader_takes_reads_as_the_slow_one(kind):
    header = HEADERS[kind]
    pattern, make = _fast_line(kind, header, ORG)
    taken = 0
    for combo in itertools.islice(itertools.product(*(VALUES[c] for c in header)), 20000):
        line = ",".join(combo) + "\n"
        m = pattern.fullmatch(line)
        row = make(m.groups()) if m else None
        if row is not None:
            taken += 1
            assert row == slow(kind, header, line), line
    assert taken > 0  # the fast reader is in use for this kind
