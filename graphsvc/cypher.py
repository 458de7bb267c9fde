"""Every Cypher statement the service runs, loaded by name from `cypher/**.cypher`.

Like aiosql keeps SQL beside thin Python: the files are what analysts review and
run; code refers to them by name ("follows/follow") and passes parameters only.
Nothing here ever joins user input into Cypher text.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

CYPHER_DIR = Path(__file__).resolve().parent.parent / "cypher"


@cache
def statements() -> dict[str, str]:
    return {
        path.relative_to(CYPHER_DIR).with_suffix("").as_posix(): path.read_text()
        for path in sorted(CYPHER_DIR.rglob("*.cypher"))
    }


def q(name: str) -> str:
    """The statement kept in `cypher/<name>.cypher`."""
    return statements()[name]


def schema_statements() -> list[str]:
    """Each `;`-separated statement of `cypher/schema/*.cypher`, comments dropped."""
    out = []
    for name, text in statements().items():
        if not name.startswith("schema/"):
            continue
        body = "\n".join(line for line in text.splitlines() if not line.strip().startswith("//"))
        out += [s.strip() for s in body.split(";") if s.strip()]
    return out
