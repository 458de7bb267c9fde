"""Every Cypher statement the service runs, loaded from `cypher/**.cypher` into names.

Like aiosql keeps SQL beside thin Python: the files are what analysts review and
run, and code names them as attributes (`S.connections.list` is
`cypher/connections/list.cypher`), so grepping a file's name finds its callers and
a misspelt name fails where it is written, not in the middle of a request. Each
statement knows its `$parameters`; a test holds every call site's keywords to
them. Nothing here ever joins user input into Cypher text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from prometheus_client import Counter

CYPHER_DIR = Path(__file__).resolve().parents[2] / "cypher"

# One increment per statement sent: lets tests and operators see round trips per request.
SENT = Counter("graphsvc_cypher_statements_total", "Cypher statements run, by file", ["statement"])

# What is not Cypher code: comments, string literals and quoted names, whose `$` are text.
_NOT_CODE = re.compile(r"//[^\n]*|/\*.*?\*/|'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"|`[^`]*`", re.S)
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def parameters(text: str) -> frozenset[str]:
    """The `$name` parameters a Cypher text uses."""
    return frozenset(_PARAM.findall(_NOT_CODE.sub(" ", text)))


@dataclass(frozen=True)
class Statement:
    """One `.cypher` file: its name ("connections/list"), text and parameters."""

    name: str
    text: str
    params: frozenset[str]

    def run(self, tx: Any, /, **params: Any) -> Any:
        """Send the statement on a sync or async transaction or session; the driver's
        result (awaitable on async ones). The one place statements reach the driver."""
        SENT.labels(self.name).inc()
        return tx.run(self.text, params)

    def statements(self) -> list[str]:
        """The file split at `;` with comment lines dropped (schema files hold several)."""
        body = "\n".join(line for line in self.text.splitlines() if not line.strip().startswith("//"))
        return [s.strip() for s in body.split(";") if s.strip()]


class MissingStatement(AttributeError):
    """A name with no `.cypher` file behind it."""


class Namespace:
    """A folder of `cypher/`: its files and subfolders as attributes."""

    def __init__(self, path: str, entries: dict[str, "Statement | Namespace"]):
        self._path = path
        self._entries = entries

    def __getattr__(self, name: str) -> Any:
        try:
            return self._entries[name]
        except KeyError:
            raise MissingStatement(f"no cypher/{self._path}{name}.cypher") from None

    def __iter__(self) -> Iterator[Statement]:
        """Every statement in this folder and below, in file-name order."""
        for entry in self._entries.values():
            if isinstance(entry, Namespace):
                yield from entry
            else:
                yield entry

    def __repr__(self) -> str:
        return f"<cypher/{self._path} {sorted(self._entries)}>"


def load(root: Path = CYPHER_DIR) -> Namespace:
    """Every `.cypher` file under `root`; no files at all is an error at start-up."""
    files = sorted(root.rglob("*.cypher"))
    if not files:
        raise RuntimeError(f"no .cypher files under {root}")
    top: dict[str, Any] = {}
    for path in files:
        parts = path.relative_to(root).with_suffix("").parts
        folder, prefix = top, ""
        for part in parts[:-1]:
            prefix += part + "/"
            folder = folder.setdefault(part, {})
        text = path.read_text()
        folder[parts[-1]] = Statement("/".join(parts), text, parameters(text))

    def build(path: str, entries: dict) -> Namespace:
        return Namespace(path, {k: build(f"{path}{k}/", v) if isinstance(v, dict) else v
                                for k, v in entries.items()})

    return build("", top)


S = load()


def schema_statements() -> list[str]:
    """Each statement of `cypher/schema/*.cypher`, in file order."""
    return [text for statement in S.schema for text in statement.statements()]
