"""GET /api/v1/results?category= : the published score sheets of an award (API.md)."""

import json

from ninja import Field, Query, Router, Schema

from wenming.campaigns.services import current_campaign
from wenming.core.apiutils import ApiError, errors, local_iso
from wenming.results import services

router = Router(tags=["评选结果"])


class ResultsQuery(Schema):
    category: str = Field(..., max_length=40, pattern=r"^[a-z][a-z0-9_]*$")


class Part(Schema):
    source: str
    raw: dict
    points: str
    weight: str


class Item(Schema):
    candidate_id: int
    name: str
    rank: int
    tied: bool
    total: str
    parts: list[Part]


class ResultsOut(Schema):
    items: list[Item]
    published_at: str
    rule_version: int
    input_hash: str


@router.get("/results", response={200: ResultsOut, **errors(404, 422)}, auth=None)
def get_results(request, query: Query[ResultsQuery]):
    """404 until the award's results are published."""
    campaign = current_campaign()
    run = services.published(campaign, query.category) if campaign else None
    if run is None:
        raise ApiError(404, "该奖项的结果尚未公布")
    return {"items": json.loads(run.body), "published_at": local_iso(run.published_at),
            "rule_version": run.rule_version, "input_hash": run.input_hash}
