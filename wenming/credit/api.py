"""Credit API per API.md: the latest published red/black list."""

from ninja import Router, Schema

from wenming.campaigns.services import current_campaign
from wenming.core.apiutils import ApiError, errors, local_iso
from wenming.credit import services

router = Router(tags=["信用"])


class ListItem(Schema):
    company_id: int
    name: str
    grade: str
    score: int


class CreditListsOut(Schema):
    red: list[ListItem]
    black: list[ListItem]
    published_at: str | None
    period: str | None


@router.get("/credit/lists", response={200: CreditListsOut, **errors(404)}, auth=None)
def credit_lists(request):
    """The latest published red/black list (published after two office approvals)."""
    campaign = current_campaign()
    if campaign is None:
        raise ApiError(404, "尚未加载活动")
    latest = services.published_lists().filter(campaign=campaign).first()
    if latest is None:
        return {"red": [], "black": [], "published_at": None, "period": None}
    items = {"red": [], "black": []}
    for entry in latest.entries.select_related("company"):
        items[entry.kind].append({"company_id": entry.company_id, "name": entry.company.name, "grade": entry.grade,
                                  "score": entry.score})
    return {**items, "published_at": local_iso(latest.published_at), "period": latest.period}
