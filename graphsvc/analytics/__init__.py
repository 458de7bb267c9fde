"""Analysts' Cypher and the curated per-org reports: read-only, time-boxed, row-capped, logged."""

from .guard import check_params, check_plan
from .render import render
from .reports import Param, Report, report, reports
from .run import explain, neo4j_error, run_cypher, run_report, stream

__all__ = ["Param", "Report", "check_params", "check_plan", "explain", "neo4j_error", "render", "report", "reports",
           "run_cypher", "run_report", "stream"]
