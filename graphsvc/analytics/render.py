"""Neo4j values as JSON: nodes, relationships, paths, points, temporals and big numbers."""

from __future__ import annotations

import base64
import math
from typing import Any

from neo4j.graph import Node, Path, Relationship
from neo4j.spatial import Point


def render(value: Any) -> Any:
    """A Cypher value as plain JSON: graph objects as objects, temporal values as ISO strings."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, Node):
        return {"elementId": value.element_id, "labels": sorted(value.labels),
                "properties": {k: render(v) for k, v in value.items()}}
    if isinstance(value, Relationship):
        return {"elementId": value.element_id, "type": value.type,
                "startElementId": value.start_node.element_id if value.start_node else None,
                "endElementId": value.end_node.element_id if value.end_node else None,
                "properties": {k: render(v) for k, v in value.items()}}
    if isinstance(value, Path):
        return {"nodes": [render(n) for n in value.nodes],
                "relationships": [render(r) for r in value.relationships]}
    if isinstance(value, Point):
        return {"srid": value.srid, "coordinates": [render(c) for c in value]}
    if hasattr(value, "iso_format"):  # neo4j.time Date, Time, DateTime, Duration (a tuple, so first)
        return value.iso_format()
    if isinstance(value, dict):
        return {str(k): render(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [render(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


