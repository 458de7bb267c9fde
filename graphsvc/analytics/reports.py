"""The curated per-org reports of `cypher/analytics/`: their headers, parameters and binding.

Each file's `// title:`, `// description:` and `// param:` lines declare what staff
see at GET /community/analytics; `$org` is always the caller's org.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..db import S
from ..errors import (
    INVALID_PARAMS,
    REPORT_NOT_FOUND,
)
from .guard import INT64

PARAM_RE = re.compile(r"(\w+)\s*\((int|float|string|bool)(?:\s*,\s*default\s+([^)]*))?\)\s*:?\s*(.*)")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: Any
    description: str

    def coerce(self, value: Any) -> Any:
        """A JSON value or a command-line string as this parameter's type."""
        try:
            if self.type == "int":
                if isinstance(value, bool) or not isinstance(value, (int, str)):
                    raise ValueError
                out = int(value)
                if not INT64[0] <= out <= INT64[1]:
                    raise ValueError
                return out
            if self.type == "float":
                if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                    raise ValueError
                out = float(value)
                if not math.isfinite(out):
                    raise ValueError
                return out
            if self.type == "bool":
                if isinstance(value, bool):
                    return value
                if isinstance(value, str) and value.lower() in ("true", "false"):
                    return value.lower() == "true"
                raise ValueError
            if not isinstance(value, str) or len(value) > 1000:
                raise ValueError
            return value
        except ValueError:
            raise INVALID_PARAMS(f"parameter {self.name} must be {'an' if self.type == 'int' else 'a'} {self.type}") from None


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    description: str
    params: tuple[Param, ...] = field(default_factory=tuple)
    text: str = ""

    def public(self) -> dict:
        return {"name": self.name, "title": self.title, "description": self.description,
                "params": [{"name": p.name, "type": p.type, "default": p.default, "description": p.description}
                           for p in self.params]}

    def bind(self, given: dict, org: str) -> dict:
        """Declared parameters only, typed, defaults filled in, and `$org` forced."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(known) - {"org"})
        if unknown:
            raise INVALID_PARAMS(f"report {self.name} takes no parameter {', '.join(map(repr, unknown))}; it takes: "
                             + (", ".join(known) or "none"))
        out = {name: p.coerce(given[name]) if given.get(name) is not None else p.default
               for name, p in known.items()}
        out["org"] = org
        return out


def parse_header(name: str, text: str) -> Report:
    """The leading `// key: value` comment lines of a report file.

    `title:` and `description:` (continued on following comment lines), and one
    `param: NAME (TYPE, default VALUE): what it does` line per parameter.
    """
    fields: dict[str, str] = {}
    params: list[Param] = []
    key = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("//"):
            break
        body = stripped[2:].strip()
        m = re.match(r"(title|description|param):\s*(.*)", body)
        if m and m.group(1) == "param":
            p = PARAM_RE.fullmatch(m.group(2))
            if not p:
                raise ValueError(f"cypher/analytics/{name}.cypher: bad param line {body!r}")
            pname, ptype, default, desc = p.groups()
            params.append(Param(pname, ptype, Param(pname, ptype, None, "").coerce(default.strip())
                                if default else None, desc.strip()))
            key = None
        elif m:
            key = m.group(1)
            fields[key] = m.group(2)
        elif key == "description" and body:
            fields[key] += " " + body
        else:
            key = None
    if "title" not in fields:
        raise ValueError(f"cypher/analytics/{name}.cypher has no '// title:' line")
    return Report(name, fields["title"], fields.get("description", ""), tuple(params), text)


@cache
def reports() -> dict[str, Report]:
    """Every curated report, by file name."""
    out = {}
    for statement in S.analytics:
        name = statement.name.split("/", 1)[1]
        out[name] = parse_header(name, statement.text)
    return out


def report(name: str) -> Report:
    found = reports().get(name)
    if found is None:
        raise REPORT_NOT_FOUND(f"no report named {name!r}; see GET /community/analytics")
    return found


