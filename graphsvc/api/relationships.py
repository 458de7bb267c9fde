"""Relationships in one call: what a list of profiles needs to draw its buttons."""

from __future__ import annotations

from ..domain import relationships
from ..errors import VALIDATION_ERROR
from ..models import Relationships, RelationshipsQuery
from ..people import person_ref
from .endpoint import Ctx, Endpoint

MAX_IDS = 100


async def get_relationships(ctx: Ctx) -> dict:
    """`ids`: 1-100 comma-separated user ids or emails; one item per id in the order asked,
    `userId` echoing it. An id that names nobody answers all-false, `connection: "none"`, 0."""
    given = ctx.query.ids.split(",")
    if not 1 <= len(given) <= MAX_IDS:
        raise VALIDATION_ERROR(f"ids: give 1 to {MAX_IDS} comma-separated ids, not {len(given)}")
    targets = [person_ref(value, "ids[]") for value in given]
    data = await ctx.db.query(relationships.of, ctx.org, ctx.acting(), targets)
    return {"data": [{"userId": value, **item} for value, item in zip(given, data, strict=True)]}


ENDPOINTS = [
    Endpoint("GET", "/client/community/relationships", get_relationships, "Relationships with up to 100 people",
             "Relationships", query=RelationshipsQuery, response=Relationships, errors=(400,)),
]
