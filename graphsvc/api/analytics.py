"""Analytics: free-form read-only Cypher for the platform `analyst` role, and the
curated per-org reports of `cypher/analytics/` for staff and services."""


from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from .. import analytics
from ..domain import Page
from ..models import ListQuery, Paginated, Strict
from ..people import valid_id
from .endpoint import Ctx, Endpoint
from .pagination import paginated, window


class CypherIn(Strict):
    query: str = Field(min_length=1, max_length=100_000, description="One Cypher statement; it must only read",
                       examples=["MATCH (p:Person) WHERE p.org = $org AND p.id IS NOT NULL RETURN p.id LIMIT 5"])
    params: dict[str, Any] = Field(default_factory=dict, description="Query parameters; `org` is always the caller's")


class QueryResult(BaseModel):
    columns: list[str]
    rows: list[list[Any]] = Field(description="One array per row, in the order of `columns`")
    truncated: bool = Field(description="True when the row cap cut the result short")
    elapsedMs: float


class ReportParam(BaseModel):
    name: str
    type: str
    default: Any = None
    description: str


class ReportInfo(BaseModel):
    name: str
    title: str
    description: str
    params: list[ReportParam]


class ReportIn(Strict):
    params: dict[str, Any] = Field(default_factory=dict, description="The report's declared parameters only")


class ReportResult(QueryResult):
    name: str
    title: str


async def cypher(ctx: Ctx) -> dict:
    """Platform analysts only: Cypher over the shared graph cannot be confined to one org.
    Refused with 400 before running unless Neo4j plans it as read-only; runs in a READ
    transaction with a time limit (400 `query_timeout`) and a row cap (`truncated`);
    `$org` is the caller's org. Every query is logged with who ran it."""
    return await analytics.run_cypher(ctx.db, ctx.settings, ctx.principal, ctx.body.query, ctx.body.params)


async def list_reports(ctx: Ctx) -> dict:
    """The curated reports of `cypher/analytics/`, with their parameters."""
    w = window(ctx)
    every = [{**r.public(), "_key": [r.name]} for r in sorted(analytics.reports().values(), key=lambda r: r.name)]
    after = [r for r in every if w.after is None or r["_key"][0] > w.after[0]]
    return paginated(ctx, Page(len(every), after[w.skip:w.skip + w.limit]))


async def run_report(ctx: Ctx) -> dict:
    """`$org` is always the caller's org; other parameters are the report's declared ones."""
    name = valid_id(ctx.path["name"], "report name")
    return await analytics.run_report(ctx.db, ctx.settings, ctx.principal, name, ctx.body.params)


ENDPOINTS = [
    Endpoint("POST", "/analytics/cypher", cypher, "Run a read-only Cypher query", "Analytics",
             body=CypherIn, response=QueryResult, roles=("analyst",), errors=(400, 401, 403)),
    Endpoint("GET", "/community/analytics", list_reports, "List the curated reports", "Analytics",
             query=ListQuery, response=Paginated[ReportInfo], roles=("staff", "service")),
    Endpoint("POST", "/community/analytics/{name}", run_report, "Run a curated report for the caller's org", "Analytics",
             body=ReportIn, response=ReportResult, roles=("staff", "service"), errors=(400, 404)),
]
