"""Text and numbers that can travel: what may enter the graph and leave in a JSON answer.

Python strings can hold lone UTF-16 surrogates (a JSON `\\udc80` escape decodes to
one), which no UTF-8 encoder accepts: the Bolt driver refuses to send them, and an
answer holding one cannot be rendered. JSON text can also spell numbers that are not
JSON numbers (`NaN`, `Infinity`) or that overflow a float (`1e999`). The API refuses
both at the edge; these helpers are that rule, shared with the analysts' parameter
check and with `graphsvc check --repair`, which cleans what older versions stored.
"""

from __future__ import annotations

import math
import re
from typing import Any

SURROGATE_RE = re.compile("[\ud800-\udfff]")
# Only a `\uD800`-`\uDFFF` escape in JSON text can decode to a surrogate (strict UTF-8
# decoding refuses encoded ones), so bodies without one skip the walk.
ESCAPED_SURROGATE_RE = re.compile(r"\\u[dD][89a-fA-F]")
REPLACEMENT = "\ufffd"


def printable(text: str) -> str:
    """`text` with any lone surrogate written as a `\\udc80` escape: safe to echo in a
    message, and unchanged when it is valid."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def first_invalid(value: Any, where: str = "body") -> str | None:
    """Where the first string (key or value, at any depth) holding a lone surrogate is,
    or the first non-finite float; None if there is none. Locations are printable."""
    if isinstance(value, str):
        return where if SURROGATE_RE.search(value) else None
    if isinstance(value, float):
        return None if math.isfinite(value) else where
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{where}.{printable(str(key))}"
            if isinstance(key, str) and SURROGATE_RE.search(key):
                return here
            found = first_invalid(item, here)
            if found:
                return found
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            found = first_invalid(item, f"{where}[{i}]")
            if found:
                return found
    return None


def repaired(value: Any) -> Any:
    """`value` with every lone surrogate replaced by U+FFFD (what a lenient decoder shows)
    and every non-finite float by None (what the answers already showed for them)."""
    if isinstance(value, str):
        return SURROGATE_RE.sub(REPLACEMENT, value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {repaired(k): repaired(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [repaired(v) for v in value]
    return value
