"""Complaints API: residents file and follow their complaints from a phone (bearer token from
the voter flow), and the 12345 hotline system pushes work orders (a staff token of the office
or a district bureau). Refusals go through the API's one handler."""

import datetime

from ninja import Field, File, Form, Router, Schema
from ninja import Status as Answer
from ninja.files import UploadedFile

from wenming.campaigns.services import current_campaign
from wenming.complaints import services
from wenming.complaints.models import Ticket
from wenming.core.access import MAX_ID
from wenming.core.apiutils import ApiError, BodySchema, CleanStr, FilledStr, NameStr, OneLineStr, errors, staff_auth_for
from wenming.core.identity.auth import resident_auth
from wenming.core.roles import Role
from wenming.core.uploads import clean_image
from wenming.registry.households import household_key, parse_household

residents = Router(tags=["投诉"], auth=resident_auth)
hotline = Router(tags=["12345 工单"], auth=staff_auth_for(Role.OFFICE, Role.DISTRICT))


def _campaign():
    campaign = current_campaign()
    if campaign is None:
        raise ApiError(404, "尚未加载活动")
    return campaign


class FilingIn(Schema):
    community_id: int = Field(..., ge=1, le=MAX_ID)
    category: str = Field(..., min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")
    urgency: str = Field("normal", max_length=20, pattern=r"^[a-z][a-z0-9_]*$")
    description: FilledStr = Field(..., min_length=5, max_length=2000)
    location: OneLineStr = Field("", max_length=100)
    household: CleanStr = Field("", max_length=40)
    as_new: bool = False


class TicketOut(Schema):
    number: str
    state: str
    state_name: str
    community_id: int
    category: str
    urgency: str
    filed_at: str
    receive_due: str
    answer_due: str
    answer: str | None
    round: int


class EventOut(Schema):
    kind: str
    name: str
    at: str
    note: str


class TicketDetailOut(TicketOut):
    events: list[EventOut]
    can_follow_up: bool


class TicketList(Schema):
    items: list[TicketOut]
    count: int


@residents.post("/complaints", response={201: TicketOut, **errors(400, 401, 404, 409, 413, 422)})
def file_complaint(request, payload: Form[FilingIn], photos: File[list[UploadedFile]] = None):
    """A verified resident files a complaint (multipart, photos checked and re-encoded). With an
    `Idempotency-Key` a repeat of the same request answers the first answer (201) and files
    nothing; the same key with another body → 422. The same complaint (community and category)
    filed within the day → 409 `same_complaint_open` unless `as_new` is true."""
    campaign = _campaign()
    community = services.complaint_communities(campaign).filter(pk=payload.community_id).first()
    if community is None:
        raise ApiError(404, "小区不存在")
    household = household_key(*parse_household(payload.household)) if payload.household.strip() else ""
    rules = services.spec(campaign)
    if photos and len(photos) > rules.photos_max:
        raise ApiError(422, fields={"photos": f"照片最多 {rules.photos_max} 张"})
    cleaned = [clean_image(p, max_bytes=campaign.upload_limit()) for p in photos or []]
    filing = services.Filing(community=community, category=payload.category, urgency=payload.urgency,
                             description=payload.description, location=payload.location, household=household,
                             phone=request.auth.phone)
    status, body = services.file_from_phone(campaign, filing, resident=request.auth, photos=cleaned,
                                            key=request.headers.get("Idempotency-Key", "")[:100] or None,
                                            as_new=payload.as_new)
    return Answer(status, body)


@residents.get("/complaints/mine", response={200: TicketList, **errors(401)})
def my_complaints(request):
    campaign = _campaign()
    tickets = Ticket.objects.filter(resident=request.auth, campaign=campaign).order_by("-filed_at")[:100]
    items = [services.ticket_answer(t, campaign.tz) for t in tickets]
    return {"items": items, "count": len(items)}


def _own(request, number):
    ticket = Ticket.objects.filter(resident=request.auth, number=number[:20]).first()
    if ticket is None:
        raise ApiError(404, "投诉不存在")
    return ticket


@residents.get("/complaints/{number}", response={200: TicketDetailOut, **errors(401, 404)})
def my_complaint(request, number: str):
    """One of the resident's own complaints with its public timeline (no staff names)."""
    campaign = _campaign()
    ticket = _own(request, number)
    events = [{"kind": e.kind, "name": e.get_kind_display(), "at": e.at.astimezone(campaign.tz).isoformat(),
               "note": e.note} for e in ticket.events.filter(public=True)]
    return {**services.ticket_answer(ticket, campaign.tz), "events": events,
            "can_follow_up": services.who_may_follow_up(ticket, resident=request.auth) is not None}


class FollowUpIn(BodySchema):
    fixed: bool
    satisfaction: int = Field(..., ge=1, le=5)


@residents.post("/complaints/{number}/follow-up", response={200: TicketOut, **errors(400, 401, 403, 404, 409, 422)})
def follow_up(request, number: str, payload: FollowUpIn):
    """回访: "fixed?" and a satisfaction score 1–5; not fixed reopens the complaint. Only once
    the company has replied (409 before)."""
    campaign = _campaign()
    ticket = services.follow_up(_own(request, number), fixed=payload.fixed, satisfaction=payload.satisfaction,
                                resident=request.auth)
    return services.ticket_answer(ticket, campaign.tz)


class UpdateIn(BodySchema):
    description: FilledStr = Field(..., min_length=2, max_length=2000)


@residents.post("/complaints/{number}/updates", response={200: TicketOut, **errors(400, 401, 404, 409, 422)})
def add_update(request, number: str, payload: UpdateIn):
    """The resident adds to their open complaint."""
    campaign = _campaign()
    ticket = services.add_update(_own(request, number), payload.description, resident=request.auth)
    return services.ticket_answer(ticket, campaign.tz)


class WorkOrderIn(BodySchema):
    number: NameStr = Field(..., min_length=1, max_length=40)
    received_at: datetime.datetime
    district: NameStr = Field(..., min_length=1, max_length=50)
    community: NameStr = Field(..., min_length=1, max_length=100)
    category: CleanStr = Field("", max_length=40)
    description: FilledStr = Field(..., min_length=5, max_length=2000)
    phone: str = Field(..., pattern=r"^1[3-9][0-9]{9}$")
    urgency: CleanStr = Field("", max_length=20)


class WorkOrderOut(Schema):
    number: str
    hotline_number: str
    state: str


@hotline.post("/hotline/work-orders", response={200: WorkOrderOut, 201: WorkOrderOut, **errors(400, 401, 403, 404, 422)})
def push_work_order(request, payload: WorkOrderIn):
    """One 12345 work order pushed by the hotline system: 201 with the new ticket, 200 with the
    same ticket when that work-order number was pushed (or imported) before; 404 for a
    community the registry does not have."""
    ticket, created = services.receive_hotline_order(_campaign(), payload.dict(), actor=request.auth)
    return Answer(201 if created else 200, {"number": ticket.number, "hotline_number": ticket.hotline_number,
                                            "state": ticket.state})
