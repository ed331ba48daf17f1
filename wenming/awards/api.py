"""Awards API: public candidates (API.md), residents' recommendations, and the back
office's applications with the review action."""

from typing import Literal

from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema
from ninja import Status as Answer
from ninja.files import UploadedFile

from wenming.awards import services
from wenming.awards.models import Application, Opinion, Status
from wenming.campaigns.services import current_campaign
from wenming.core.access import MAX_ID, get_in_scope
from wenming.core.apiutils import (
    ApiError,
    CleanStr,
    OneLineStr,
    Page,
    PageQuery,
    errors,
    local_iso,
    paginate,
    require_api_role,
    staff_auth,
    staff_auth_for,
)
from wenming.core.identity.auth import resident_auth
from wenming.core.roles import Role
from wenming.registry.models import Community, District

public = Router(tags=["候选展示"])
residents = Router(tags=["居民"])
backoffice = Router(tags=["申报"], auth=staff_auth)


def _current():
    campaign = current_campaign()
    if campaign is None:
        raise ApiError(404, "尚未加载活动")
    return campaign


KEY_PATTERN = r"^[a-z][a-z0-9_]*$"  # award keys are preset data, always ASCII snake_case
StatusFilter = Literal[tuple(Status.values)]


class CandidateQuery(PageQuery):
    category: str | None = Field(None, max_length=40, pattern=KEY_PATTERN)
    district: int | None = Field(None, ge=1, le=MAX_ID)


class CandidateOut(Schema):
    id: int
    category: str
    name: str
    district: str
    company: str
    summary: str
    photo_url: str | None


class MediaOut(Schema):
    kind: str
    url: str
    content_type: str


class CandidateDetailOut(CandidateOut):
    story: str
    media: list[MediaOut]


def _candidate(showcase, request, detail=False):
    application = showcase.application
    media = list(services.public_media(showcase))
    photo = next((m for m in media if m.is_image), None)
    out = {
        "id": showcase.pk, "category": application.award.key, "name": showcase.title,
        "district": application.district.name, "company": application.company.name,
        "summary": showcase.story[:120],
        "photo_url": request.build_absolute_uri(reverse("showcase:media_variant", args=[showcase.pk, photo.pk, "thumb"]))
        if photo else None,
    }
    if detail:
        out["story"] = showcase.story
        out["media"] = [{"kind": m.kind, "content_type": m.content_type,
                         "url": request.build_absolute_uri(reverse("showcase:media", args=[showcase.pk, m.pk]))}
                        for m in media]
    return out


@public.get("/candidates", response={200: Page[CandidateOut], **errors(404, 422)}, auth=None)
def list_candidates(request, query: Query[CandidateQuery]):
    """Published candidates only."""
    items = services.published(_current()).order_by("application__award__sort_order", "title")
    if query.category:
        items = items.filter(application__award__key=query.category)
    if query.district:
        items = items.filter(application__district_id=query.district)
    page = paginate(items, query.page, query.page_size)
    return {"items": [_candidate(s, request) for s in page["items"]], "count": page["count"]}


@public.get("/candidates/{candidate_id}", response={200: CandidateDetailOut, **errors(404)}, auth=None)
def get_candidate(request, candidate_id: str):
    return _candidate(get_in_scope(services.published(_current()), candidate_id), request, detail=True)


class RecommendationOut(Schema):
    id: int
    status: str


class RecommendationIn(Schema):
    district_id: int = Field(..., ge=1, le=MAX_ID)
    reason: CleanStr = Field(..., min_length=10, max_length=2000)
    community_id: int | None = Field(None, ge=1, le=MAX_ID)
    community_name: OneLineStr = Field("", max_length=100)


@residents.post("/recommendations", auth=resident_auth,
                response={200: RecommendationOut, 201: RecommendationOut, **errors(400, 401, 403, 409, 413, 422)})
def create_recommendation(request, payload: Form[RecommendationIn], photos: File[list[UploadedFile]] = None):
    """A verified resident recommends a community (multipart, up to 3 photos). The same phone
    recommending the same community again updates its recommendation: 200 instead of 201."""
    campaign = _current()
    district_id, community_id = payload.district_id, payload.community_id
    community_name, reason = payload.community_name, payload.reason
    district = District.objects.filter(pk=district_id).first()
    if district is None:
        raise ApiError(422, fields={"district_id": "没有这个区"})
    community = None
    if community_id is not None:
        community = Community.objects.filter(pk=community_id, district=district).first()
        if community is None:
            raise ApiError(422, fields={"community_id": "所选区中没有这个小区"})
    elif not community_name.strip():
        raise ApiError(422, fields={"community_name": "请选择小区或填写小区名称"})
    recommendation, created = services.recommend(  # a refusal: the API's one handler
        campaign, request.auth, district=district, community=community, community_name=community_name,
        reason=reason, photos=photos or [])
    return Answer(201 if created else 200, {"id": recommendation.pk, "status": recommendation.state})


class ApplicationOut(Schema):
    id: int
    award: str
    status: str
    channel: str
    name: str
    district: str
    company: str
    submitted_at: str | None


class ApplicationQuery(PageQuery):
    status: StatusFilter | None = None


def _application_out(a):
    return {"id": a.pk, "award": a.award.key, "status": a.status, "channel": a.channel, "name": a.full_name,
            "district": a.district.name, "company": a.company.name, "submitted_at": local_iso(a.submitted_at)}


REVIEWERS = (Role.OFFICE, Role.DISTRICT, Role.COMPANY)


def _reviewer(request):
    return require_api_role(request, REVIEWERS)


@backoffice.get("/applications", response={200: Page[ApplicationOut], **errors(401, 403, 422)})
def list_applications(request, query: Query[ApplicationQuery]):
    user = _reviewer(request)
    items = Application.objects.visible_to(user).exclude(status=Status.MERGED).select_related(
        "award", "district", "company")
    if query.status:
        items = items.filter(status=query.status)
    page = paginate(items, query.page, query.page_size)
    return {"items": [_application_out(a) for a in page["items"]], "count": page["count"]}


@backoffice.get("/applications/{application_id}", response={200: ApplicationOut, **errors(401, 403, 404)})
def get_application(request, application_id: str):
    user = _reviewer(request)
    return _application_out(get_in_scope(Application.objects.visible_to(user).select_related(
        "award", "district", "company"), application_id))


class OpinionIn(Schema):
    stage: str = Field(..., pattern="^(company|district|office)$")
    decision: str = Field(..., pattern="^(approve|return|reject|confirm)$")
    text: CleanStr = Field(..., min_length=1, max_length=2000)


@backoffice.post("/applications/{application_id}/opinions", auth=staff_auth_for(*REVIEWERS),
                 response={201: ApplicationOut, **errors(400, 401, 403, 404, 409, 413, 422)})
def post_opinion(request, application_id: str, payload: Form[OpinionIn], seal_scan: File[UploadedFile] = None):
    """The reviewer of the application's current stage gives its opinion (multipart; the
    district's approval carries the scanned sealed page)."""
    user = _reviewer(request)
    application = get_in_scope(Application.objects.visible_to(user), application_id)
    application = services.give_opinion(application, payload.stage, payload.decision, payload.text, actor=user,
                                        seal_scan=seal_scan)  # a refusal: the API's one handler
    application = Application.objects.select_related("award", "district", "company").get(pk=application.pk)
    return Answer(201, _application_out(application))


assert {d.value for d in Opinion.Decision} == {"approve", "return", "reject", "confirm"}
