"""Where the bench scripts write their figures: one timestamped JSON per run."""

from __future__ import annotations

import json
import time
from pathlib import Path


def save(out: Path, kind: str, data: dict) -> Path:
    """Write `data` as `out/<kind>-<local time>.json` and say where."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{kind}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {path}")
    return path
