"""Survey API: `POST /api/v1/surveys/responses` for surveyors' phones (idempotent by the
client-generated id, so a phone that was offline may send again) and coverage figures."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Field, Router, Schema, Status

from wenming.campaigns.services import current_campaign
from wenming.core.access import MAX_ID
from wenming.core.apiutils import ApiError, BodySchema, CleanStr, errors, staff_auth, staff_auth_for
from wenming.core.roles import Role
from wenming.surveys import services
from wenming.surveys.models import Response

router = Router(tags=["入户调查"], auth=staff_auth)
SURVEY_TAKERS = (Role.SURVEYOR, Role.OFFICE)


class ResponseIn(BodySchema):
    client_id: str = Field(..., min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    community_id: int = Field(..., ge=1, le=MAX_ID)
    building: CleanStr = Field(..., min_length=1, max_length=20)
    unit: CleanStr = Field(..., min_length=1, max_length=20)
    room: CleanStr = Field(..., min_length=1, max_length=20)
    answers: dict[str, CleanStr]
    started_at: datetime.datetime | None = None
    recorded_at: datetime.datetime | None = None


class ResponseOut(Schema):
    id: int
    community_id: int
    household: str
    flagged_fast: bool
    coverage_percent: float


def _campaign():
    campaign = current_campaign()
    if campaign is None:
        raise ApiError(404, "尚未加载活动")
    return campaign


@router.post("/surveys/responses", auth=staff_auth_for(*SURVEY_TAKERS),
             response={200: ResponseOut, 201: ResponseOut, **errors(400, 401, 403, 404, 409, 422)})
def post_response(request, payload: ResponseIn):
    """One household's questionnaire. A repeat with the same client_id answers 200 with the
    stored response and changes nothing; a second response for the household answers 409; a
    household that is not an occupied one of the community's register answers 422."""
    user = request.auth
    campaign = _campaign()
    community = services.assigned_communities(user, campaign).filter(pk=payload.community_id).first()
    if community is None:
        raise ApiError(404, "小区不存在或未分配给您")
    for stamp in (payload.started_at, payload.recorded_at):
        if stamp is not None and stamp.tzinfo is None:
            raise ApiError(422, "时间须带时区（如 2019-11-28T10:00:00+08:00）")
    try:
        response, created = services.record_response(
            campaign, community, household=(payload.building, payload.unit, payload.room), answers=payload.answers,
            client_id=payload.client_id, channel=Response.Channel.SURVEYOR, surveyor=user,
            started_at=payload.started_at, recorded_at=payload.recorded_at)
    except ValidationError as exc:
        raise ApiError(422, "；".join(exc.messages)) from None
    except PermissionDenied as exc:
        raise ApiError(404, str(exc)) from None
    rate = services.coverage(campaign, [community])[0].percent
    body = {"id": response.pk, "community_id": community.pk, "household": response.household,
            "flagged_fast": response.flagged_fast, "coverage_percent": round(rate, 1)}
    return Status(201 if created else 200, body)
