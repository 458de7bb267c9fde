"""The domain: one module per capability, each a set of transaction functions.

A function takes a managed transaction (`tx`), the org and already-validated input,
runs the statements of its `cypher/` folder, and returns plain data or raises a code
of the error catalogue. Lists answer a `Page`.
"""

from typing import NamedTuple


class Page(NamedTuple):
    """One page of a list: how many there are in all, and this page's items."""

    total: int
    data: list


__all__ = ["Page"]
