"""Volunteers API: residents sign up, sign in and out by the scanned code, read their record and
ask for a certificate (bearer token from the voter flow); staff read the figures and confirm
hours (staff token or session); anyone checks a certificate by number. Refusals go through the
API's one handler."""

from ninja import Field, Router, Schema

from wenming.campaigns.services import current_campaign
from wenming.core.access import MAX_ID
from wenming.core.apiutils import ApiError, BodySchema, CleanStr, errors, local_iso, staff_auth_for
from wenming.core.identity.auth import resident_auth
from wenming.core.roles import Role
from wenming.volunteers import services
from wenming.volunteers.models import Activity, Record, RecordState, Station, Volunteer

residents = Router(tags=["志愿服务"], auth=resident_auth)
staff = Router(tags=["志愿服务（工作人员）"], auth=staff_auth_for(Role.OFFICE, Role.DISTRICT, Role.COMPANY))
public = Router(tags=["志愿服务证明查验"])


def _campaign():
    campaign = current_campaign()
    if campaign is None:
        raise ApiError(404, "尚未加载活动")
    return campaign


class RecordOut(Schema):
    id: int
    state: str
    state_name: str
    station: str
    content: str
    served_on: str | None
    signed_in_at: str | None
    signed_out_at: str | None
    measured_hours: str | None
    hours: str | None
    recorder: str
    may_object: bool


def _record(record, campaign):
    return {"id": record.pk, "state": record.state, "state_name": record.get_state_display(),
            "station": record.station.name, "content": services.content_of(record, campaign),
            "served_on": local_iso(record.served_on), "signed_in_at": local_iso(record.signed_in_at),
            "signed_out_at": local_iso(record.signed_out_at),
            "measured_hours": None if record.measured_minutes is None else services.hours_text(record.measured_minutes),
            "hours": None if record.minutes is None else services.hours_text(record.minutes),
            "recorder": services.recorder_of(record) if record.confirmed_at else "",
            "may_object": record.state == RecordState.CONFIRMED and record.objected_at is None}


class ActivityOut(Schema):
    id: int
    title: str
    kind: str
    kind_name: str
    station_id: int
    station: str
    place: str
    partner: str
    starts_at: str
    ends_at: str
    places: int
    places_left: int
    state: str
    my_state: str | None


def _activity(activity, campaign, resident):
    volunteer = services.volunteer_for(activity.station, resident)
    record = Record.objects.filter(activity=activity, volunteer=volunteer).first() if volunteer else None
    return {"id": activity.pk, "title": activity.title, "kind": activity.kind,
            "kind_name": services.activity_types(campaign).get(activity.kind, ""), "station_id": activity.station_id,
            "station": activity.station.name, "place": activity.place, "partner": activity.partner,
            "starts_at": local_iso(activity.starts_at), "ends_at": local_iso(activity.ends_at), "places": activity.places,
            "places_left": max(activity.places - services.taken_places(activity), 0), "state": activity.state,
            "my_state": record.state if record else None}


def _activity_or_404(pk):
    activity = Activity.objects.select_related("station").filter(pk=pk).first()
    if activity is None:
        raise ApiError(404, "活动不存在")
    return activity


@residents.get("/volunteers/activities/{int:activity_id}", response={200: ActivityOut, **errors(401, 404)})
def activity(request, activity_id: int):
    return _activity(_activity_or_404(activity_id), _campaign(), request.auth)


@residents.post("/volunteers/activities/{int:activity_id}/signup", response={200: ActivityOut, **errors(401, 404, 409)})
def sign_up(request, activity_id: int):
    """Take a place (the resident must be a volunteer of the activity's station); 409 when full,
    started, cancelled or already signed up."""
    campaign = _campaign()
    activity = _activity_or_404(activity_id)
    services.sign_up(activity, request.auth)
    return _activity(activity, campaign, request.auth)


@residents.post("/volunteers/activities/{int:activity_id}/cancel", response={200: ActivityOut, **errors(401, 404, 409)})
def cancel(request, activity_id: int):
    campaign = _campaign()
    activity = _activity_or_404(activity_id)
    services.cancel_sign_up(activity, request.auth)
    return _activity(activity, campaign, request.auth)


class ScanIn(BodySchema):
    code: CleanStr = Field(..., min_length=1, max_length=100)


@residents.post("/volunteers/scan", response={200: RecordOut, **errors(400, 401, 409, 422)})
def scan(request, payload: ScanIn):
    """Sign in or out with the code scanned from the organiser's phone: 409 `code_refused` when
    the code is not genuine, expired or used before."""
    campaign = _campaign()
    record = services.scan(payload.code, request.auth)
    return _record(record, campaign)


class MyRecords(Schema):
    items: list[RecordOut]
    count: int
    confirmed_records: int
    confirmed_hours: str


@residents.get("/volunteers/me/records", response={200: MyRecords, **errors(401)})
def my_records(request):
    campaign = _campaign()
    volunteers = list(services.volunteers_of(request.auth))
    records = (Record.objects.filter(volunteer__in=volunteers).exclude(state=RecordState.CANCELLED)
               .select_related("activity", "help_request", "station__community", "confirmed_by")[:500])
    items = [_record(r, campaign) for r in records]
    figures = services.totals(Record.objects.filter(volunteer__in=volunteers))
    return {"items": items, "count": len(items), "confirmed_records": figures["records"],
            "confirmed_hours": services.hours_text(figures["minutes"])}


class CertificateIn(BodySchema):
    station_id: int = Field(..., ge=1, le=MAX_ID)


class CheckOut(Schema):
    number: str
    name: str
    records: int
    hours: str
    station: str
    company: str
    issued_on: str


@residents.post("/volunteers/me/certificates", response={201: CheckOut, **errors(400, 401, 404, 409, 422)})
def issue(request, payload: CertificateIn):
    """A numbered certificate of the resident's confirmed records at a station (409 without any)."""
    campaign = _campaign()
    volunteer = Volunteer.objects.filter(station_id=payload.station_id, phone=request.auth.phone).first()
    if volunteer is None:
        raise ApiError(404, "您不是该服务站的志愿者")
    certificate = services.issue_certificate(campaign, volunteer, resident=request.auth)
    return 201, services.public_check(certificate.number)


@public.get("/volunteers/certificates/{number}", response={200: CheckOut, **errors(404)}, auth=None)
def check(request, number: str):
    """Anyone checks a certificate by its number: the masked name and the totals only."""
    found = services.public_check(number)
    if found is None:
        raise ApiError(404, "证明不存在")
    return found


class FigureOut(Schema):
    id: int
    name: str
    hours: str
    active: int
    served: int
    waiting: int


class FiguresOut(Schema):
    stations: list[FigureOut]
    companies: list[FigureOut]
    districts: list[FigureOut]


@staff.get("/volunteers/figures", response={200: FiguresOut, **errors(401, 403)})
def figures(request):
    """Hours and active volunteers per station, company and district in the caller's scope; help
    requests served and waiting."""
    campaign = _campaign()
    data = services.figures(campaign, Station.objects.visible_to(request.auth))

    def out(entries, key):
        return [{"id": e[key].pk, "name": e[key].name, "hours": e["hours"], "active": e["active"],
                 "served": e["served"], "waiting": e["waiting"]} for e in entries]

    return {"stations": out(data["stations"], "station"), "companies": out(data["companies"], "company"),
            "districts": out(data["districts"], "district")}


class ConfirmIn(BodySchema):
    hours: float | None = Field(None, ge=0, le=24)  # to the minute
    reason: CleanStr = Field("", max_length=300)


@staff.post("/volunteers/records/{int:record_id}/confirm", response={200: RecordOut, **errors(400, 401, 403, 404, 409, 422)})
def confirm(request, record_id: int, payload: ConfirmIn):
    """The organiser confirms a record's hours, or corrects them with a reason (422 without)."""
    campaign = _campaign()
    record = Record.objects.visible_to(request.auth).filter(pk=record_id).first()
    if record is None:
        raise ApiError(404, "记录不存在")
    minutes = None if payload.hours is None else round(payload.hours * 60)
    record = services.confirm(record, actor=request.auth, minutes=minutes, reason=payload.reason)
    return _record(record, campaign)
