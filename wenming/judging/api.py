"""Judging API for experts' phones: their assignments, the score sheet (PUT with the version
they read: a stale version answers 409 with the current one), and submission."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Router, Schema

from wenming.awards.review_panels import panels_for
from wenming.core.access import get_in_scope
from wenming.core.apiutils import ApiError, BodySchema, errors, require_api_role, staff_auth, staff_auth_for
from wenming.core.roles import Role
from wenming.judging import services

router = Router(tags=["专家评审"], auth=staff_auth)


class ItemOut(Schema):
    key: str
    section: str
    name: str
    max: str
    score: str | None
    comment: str


class AssignmentOut(Schema):
    id: int
    candidate_id: int
    candidate: str
    award: str
    version: int
    submitted: bool
    total: str | None


class SheetOut(AssignmentOut):
    items: list[ItemOut]
    record: list[dict]


class SheetIn(BodySchema):
    version: int = Field(..., ge=0, le=2**31 - 1)
    # Any JSON value is taken and judged by the service (a boolean or an object is refused there
    # with the item named, instead of being coerced to 1).
    scores: dict[str, Any] = Field(..., description='decimal text per rubric item, e.g. {"environment.1": "7.5"}')
    comments: dict[str, str] = {}


def _mine(request, assignment_id):
    user = require_api_role(request, (Role.EXPERT,))
    try:
        return get_in_scope(services.for_expert(user), assignment_id)
    except Http404:
        raise ApiError(404, "没有这项评审任务") from None


def _out(a, items=False):
    sheet = a.sheet
    body = {"id": a.pk, "candidate_id": a.candidate_id, "candidate": a.candidate.title,
            "award": a.candidate.application.award.name, "version": sheet.version,
            "submitted": sheet.submitted_at is not None, "total": str(sheet.total) if sheet.total is not None else None}
    if items:
        body["items"] = [{"key": i["key"], "section": i["section"], "name": i["name"], "max": str(i["max"]),
                          "score": sheet.scores.get(i["key"]), "comment": sheet.comments.get(i["key"], "")}
                         for i in services.rubric(a.campaign, a.candidate.application.award.key)]
        body["record"] = [{"title": p["title"], "rows": [[label, str(value)] for label, value in p["rows"]]}
                          for p in panels_for(a.candidate.application, a.expert.user)]
    return body


@router.get("/judging/assignments", response={200: list[AssignmentOut], **errors(401, 403)})
def list_assignments(request):
    user = require_api_role(request, (Role.EXPERT,))
    return [_out(a) for a in services.for_expert(user)]


@router.get("/judging/assignments/{assignment_id}", response={200: SheetOut, **errors(401, 403, 404)})
def get_sheet(request, assignment_id: str):
    return _out(_mine(request, assignment_id), items=True)


def _act(call):
    """Refused scores name their fields; every other refusal is the API's one handler's."""
    try:
        return call()
    except ValidationError as exc:
        fields = ({k: "；".join(v) for k, v in exc.message_dict.items()} if hasattr(exc, "error_dict") else None)
        raise ApiError(422, "评分不符合要求" if fields else "；".join(exc.messages), fields=fields) from None


@router.put("/judging/assignments/{assignment_id}/sheet", auth=staff_auth_for(Role.EXPERT),
            response={200: SheetOut, **errors(400, 401, 403, 404, 409, 422)})
def put_sheet(request, assignment_id: str, payload: SheetIn):
    """Save scores as decimal text (e.g. "7.5"); send the version you read."""
    assignment = _mine(request, assignment_id)
    _act(lambda: services.save_sheet(assignment, request.auth, scores=payload.scores, comments=payload.comments,
                                     version=payload.version))
    return _out(_mine(request, assignment_id), items=True)


@router.post("/judging/assignments/{assignment_id}/submit",
             response={200: SheetOut, **errors(401, 403, 404, 409, 422)})
def submit(request, assignment_id: str):
    """Lock the sheet; every item must be scored."""
    assignment = _mine(request, assignment_id)
    _act(lambda: services.submit_sheet(assignment, request.auth))
    return _out(_mine(request, assignment_id), items=True)
