"""The domain: one module per capability, each a set of transaction functions.

A function takes a transaction (`tx`: a managed one, or for a read of one statement
`Database.query`'s auto-commit stand-in), the org and already-validated input, runs the
statements of its `cypher/` folder, and returns plain data or raises a code of the
error catalogue. Lists take a `Window` and answer a `Page`.
"""

from typing import Any, NamedTuple


class Page(NamedTuple):
    """One page of a list: how many there are in all, and this page's items."""

    total: int
    data: list


class Window(NamedTuple):
    """Which part of a list to read: `skip` items (page mode) or the items after the sort
    key `after` (cursor mode, keyset), then `limit` of them. Each item a list statement
    returns carries its own sort key as `_key`, which a cursor holds."""

    skip: int
    limit: int
    after: Any = None


__all__ = ["Page", "Window"]
