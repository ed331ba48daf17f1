"""Every state change of the volunteer service: stations, volunteers, activities and their QR
sign-in and sign-out, hours confirmed by the organiser (and objected to once), help requests,
certificates, and the figures derived from the confirmed records.

The rules a city changes (activity types, skills, help kinds, confirmation days, the code's
lifetime) are the preset's `volunteers` section. Every change is audited; refusals are domain
errors (wenming.core.errors) or ValidationError by field, and nothing is written with them."""

import datetime
import hmac
import secrets
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone
from django.utils.crypto import salted_hmac

from wenming.campaigns.presets import VolunteersSpec
from wenming.core import audit
from wenming.core.access import is_office
from wenming.core.errors import Conflict
from wenming.core.models import User
from wenming.core.notifications import notify
from wenming.core.roles import Role
from wenming.core.validators import clean_phone, mask_phone
from wenming.registry.models import Household
from wenming.volunteers.models import (
    HOLDS_A_PLACE,
    Activity,
    Certificate,
    ConfirmedBy,
    HelpRequest,
    Kind,
    Record,
    RecordState,
    Station,
    UsedCode,
    Volunteer,
)

CODE_SALT = "wenming.volunteers.sign-code"
IN, OUT = "i", "o"
DIRECTIONS = {IN: "签到", OUT: "签退"}


class CodeRefused(Conflict):
    """A sign-in/out code that is not genuine, has expired, or was used before."""

    code = "code_refused"


def spec(campaign) -> VolunteersSpec:
    rules = campaign.typed_rules.volunteers
    if rules is None:
        raise Conflict("本活动未设置志愿服务规则")
    return rules


def names(items):
    return {i.key: i.name for i in items}


def activity_types(campaign):
    return names(spec(campaign).activity_types)


def skills(campaign):
    return names(spec(campaign).skills)


def help_groups(campaign):
    return names(spec(campaign).help_groups)


def help_kinds(campaign):
    return names(spec(campaign).help_kinds)


def hours_text(minutes):
    """Minutes as hours to one decimal ("2.5")."""
    value = (Decimal(minutes or 0) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value}"


def mask_name(name):
    """张三 → 张*, 欧阳小明 → 欧***: the surname's first character only."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


# --- who may do what -----------------------------------------------------------------------------

def is_station_staff(user, station):
    return bool(user is not None and user.is_authenticated and user.is_active and user.role == Role.COMPANY
                and user.company_id == station.company_id)


def _ensure_staff(actor, station):
    if not is_station_staff(actor, station):
        raise PermissionDenied("只有服务站所属的物业服务企业可以进行此操作")


def station_staff(station):
    return User.objects.filter(role=Role.COMPANY, company_id=station.company_id, is_active=True)


def can_view(user, station):
    if is_office(user):
        return True
    if user.role == Role.DISTRICT:
        return user.district_id == station.district_id
    return is_station_staff(user, station)


# --- stations and volunteers ---------------------------------------------------------------------

@dataclass(frozen=True)
class StationForm:
    name: str
    contact_name: str
    contact_phone: str
    hours: str
    services: tuple = ()


@transaction.atomic
def register_station(campaign, community, data: StationForm, *, actor, photo=None):
    """The community's company registers its 物业服务中心 as the community's station (one each)."""
    if community.company_id is None or not (actor.role == Role.COMPANY and actor.company_id == community.company_id):
        raise PermissionDenied("只有负责该小区的物业服务企业可以登记服务站")
    errors = {}
    if Station.objects.filter(community=community).exists():
        errors["community"] = "该小区已登记志愿者服务站"
    if not data.name.strip():
        errors["name"] = "请填写服务站名称"
    if not data.contact_name.strip():
        errors["contact_name"] = "请填写联系人"
    try:
        phone = clean_phone(data.contact_phone)
    except ValidationError:
        errors["contact_phone"] = "请填写 11 位手机号"
    if not data.hours.strip():
        errors["hours"] = "请填写服务时间"
    unknown = set(data.services) - set(activity_types(campaign))
    if unknown:
        errors["services"] = "服务项目不在本活动的活动类型中"
    if errors:
        raise ValidationError(errors)
    station = Station(community=community, company_id=community.company_id, district_id=community.district_id,
                      name=data.name.strip(), contact_name=data.contact_name.strip(), contact_phone=phone,
                      hours=data.hours.strip(), services=list(data.services), registered_by=actor,
                      registered_at=timezone.now())
    if photo is not None:
        station.photo.save(photo.content.name, photo.content, save=False)
    _once(station.save, {"community": "该小区已登记志愿者服务站"})
    audit.record("volunteers.station.registered", actor=actor, target=station,
                 after={"name": station.name, "community": community.name})
    return station


def _once(create, errors):
    """`create()`, or the field errors the check before it gives, when the same request sent
    twice at once passed that check too (the unique constraint decides: no 500 for a double tap)."""
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:
        raise ValidationError(errors) from None


def _check_skills(campaign, chosen):
    if set(chosen) - set(skills(campaign)):
        raise ValidationError({"skills": "技能特长不在本活动的列表中"})
    return list(chosen)


@transaction.atomic
def add_staff_volunteer(campaign, station, staff, *, actor, chosen_skills=()):
    """A worker of the registry joins the station (the company records the worker's consent)."""
    _ensure_staff(actor, station)
    if staff.company_id != station.company_id:
        raise ValidationError({"staff": "只能登记本企业的从业人员"})
    chosen = _check_skills(campaign, chosen_skills)
    if Volunteer.objects.filter(station=station, phone=staff.phone).exists():
        raise ValidationError({"staff": "该员工已是本服务站志愿者"})
    now = timezone.now()
    volunteer = _once(lambda: Volunteer.objects.create(
        station=station, company_id=station.company_id, district_id=station.district_id, kind=Kind.STAFF, staff=staff,
        name=staff.name, phone=staff.phone, skills=chosen, consent_version=campaign.privacy_notice_version,
        consented_at=now, joined_at=now), {"staff": "该员工已是本服务站志愿者"})
    audit.record("volunteers.volunteer.joined", actor=actor, target=volunteer,
                 after={"kind": Kind.STAFF.label, "station": station.name, "phone": mask_phone(staff.phone)})
    return volunteer


@transaction.atomic
def join_as_resident(campaign, station, resident, *, name, chosen_skills=(), consent_version=""):
    """An SMS-verified resident registers at the station, accepting the privacy notice."""
    errors = {}
    name = (name or "").strip()
    if not 2 <= len(name) <= 20:
        errors["name"] = "请填写真实姓名（2–20 个字）"
    if consent_version != campaign.privacy_notice_version:
        errors["consent"] = "请阅读并同意个人信息保护告知"
    try:
        chosen = _check_skills(campaign, chosen_skills)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if Volunteer.objects.filter(station=station, phone=resident.phone).exists():
        errors["name"] = "您已是本服务站志愿者"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    volunteer = _once(lambda: Volunteer.objects.create(
        station=station, company_id=station.company_id, district_id=station.district_id, kind=Kind.RESIDENT,
        resident=resident, name=name, phone=resident.phone, skills=chosen, consent_version=consent_version,
        consented_at=now, joined_at=now), {"name": "您已是本服务站志愿者"})
    audit.record("volunteers.volunteer.joined", target=volunteer,
                 after={"kind": Kind.RESIDENT.label, "station": station.name, "phone": mask_phone(resident.phone),
                        "consent_version": consent_version})
    return volunteer


def volunteer_for(station, resident):
    """The resident's volunteer registration at this station, or None (matched by the phone)."""
    if resident is None:
        return None
    return Volunteer.objects.filter(station=station, phone=resident.phone).first()


def volunteers_of(resident):
    return Volunteer.objects.filter(phone=resident.phone).select_related("station", "company")


# --- activities ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ActivityForm:
    kind: str
    title: str
    content: str
    place: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    places: int
    partner: str = ""


@transaction.atomic
def create_activity(campaign, station, data: ActivityForm, *, actor):
    _ensure_staff(actor, station)
    errors = {}
    if data.kind not in activity_types(campaign):
        errors["kind"] = "请选择活动类型"
    if not data.title.strip():
        errors["title"] = "请填写活动名称"
    if len(data.content.strip()) < 5:
        errors["content"] = "请写明服务内容（至少 5 个字）"
    if not data.place.strip():
        errors["place"] = "请填写活动地点"
    if data.ends_at <= data.starts_at:
        errors["ends_at"] = "结束时间应晚于开始时间"
    elif data.ends_at - data.starts_at > datetime.timedelta(hours=24):
        errors["ends_at"] = "单次活动不超过 24 小时"
    if data.starts_at < timezone.now():
        errors["starts_at"] = "开始时间不能早于现在"
    if not 1 <= data.places <= 1000:
        errors["places"] = "名额应为 1–1000"
    if errors:
        raise ValidationError(errors)
    activity = Activity.objects.create(campaign=campaign, station=station, company_id=station.company_id,
                                       district_id=station.district_id, kind=data.kind, title=data.title.strip(),
                                       content=data.content.strip(), place=data.place.strip(),
                                       partner=data.partner.strip(), starts_at=data.starts_at, ends_at=data.ends_at,
                                       places=data.places, organiser=actor, created_at=timezone.now())
    audit.record("volunteers.activity.created", actor=actor, target=activity,
                 after={"title": activity.title, "station": station.name, "places": activity.places})
    return activity


@transaction.atomic
def cancel_activity(activity, *, actor, reason):
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _ensure_staff(actor, activity.station)
    if activity.state == Activity.State.CANCELLED:
        raise Conflict("该活动已取消")
    if activity.starts_at <= timezone.now():
        raise Conflict("活动已开始，不能取消")
    if len((reason or "").strip()) < 2:
        raise ValidationError({"reason": "请填写取消原因"})
    activity.state = Activity.State.CANCELLED
    activity.save(update_fields=["state"])
    # Sign-in opens before the start: those already signed in are released too (nothing to serve).
    cancelled = activity.records.filter(state__in=[RecordState.SIGNED_UP, RecordState.SIGNED_IN]).update(
        state=RecordState.CANCELLED, cancelled_at=timezone.now())
    audit.record("volunteers.activity.cancelled", actor=actor, target=activity, reason=reason.strip(),
                 after={"signups_cancelled": cancelled})
    return activity


def taken_places(activity):
    return activity.records.filter(state__in=HOLDS_A_PLACE).count()


@transaction.atomic
def sign_up(activity, resident):
    """The resident, a volunteer of the activity's station, takes a place from the phone."""
    activity = Activity.objects.select_for_update(of=("self",)).select_related("station").get(pk=activity.pk)
    volunteer = volunteer_for(activity.station, resident)
    if volunteer is None:
        raise Conflict("请先登记为本服务站志愿者")
    if activity.state != Activity.State.OPEN:
        raise Conflict("该活动已取消")
    now = timezone.now()
    if activity.starts_at <= now:
        raise Conflict("活动已开始，报名已截止")
    record = Record.objects.filter(activity=activity, volunteer=volunteer).first()
    if record is not None and record.state != RecordState.CANCELLED:
        raise Conflict("您已报名该活动")
    if taken_places(activity) >= activity.places:
        raise Conflict("名额已满")
    if record is None:
        record = Record(campaign_id=activity.campaign_id, volunteer=volunteer, activity=activity,
                        station_id=activity.station_id, company_id=activity.company_id,
                        district_id=activity.district_id, served_on=activity.starts_at)
    record.state, record.signed_up_at, record.cancelled_at = RecordState.SIGNED_UP, now, None
    record.save()
    audit.record("volunteers.record.signed_up", target=record,
                 after={"activity": activity.title, "volunteer": mask_name(volunteer.name)})
    return record


@transaction.atomic
def cancel_sign_up(activity, resident):
    volunteer = volunteer_for(activity.station, resident)
    record = (Record.objects.select_for_update().filter(activity=activity, volunteer=volunteer).first()
              if volunteer else None)
    if record is None or record.state != RecordState.SIGNED_UP:
        raise Conflict("您没有待参加的报名")
    if activity.starts_at <= timezone.now():
        raise Conflict("活动已开始，不能取消报名")
    record.state, record.cancelled_at = RecordState.CANCELLED, timezone.now()
    record.save(update_fields=["state", "cancelled_at"])
    audit.record("volunteers.record.cancelled", target=record, after={"activity": activity.title})
    return record


# --- QR sign-in and sign-out ---------------------------------------------------------------------------

def _mac(body):
    return salted_hmac(CODE_SALT, body, algorithm="sha256").hexdigest()[:20]


def issue_code(activity, direction, *, actor, at=None):
    """The code the organiser's phone shows as a QR: the activity, the direction, the moment and
    a random part, under the server's signature. It lives the preset's `code_seconds`."""
    _ensure_staff(actor, activity.station)
    if direction not in DIRECTIONS:
        raise ValidationError({"direction": "请选择签到或签退"})
    if activity.state != Activity.State.OPEN:
        raise Conflict("该活动已取消")
    moment = int((at or timezone.now()).timestamp())
    body = f"{activity.pk}.{direction}.{moment}.{secrets.token_hex(6)}"
    return f"{body}.{_mac(body)}"


def read_code(code):
    """(activity id, direction, issued at, nonce) of a genuine code; CodeRefused otherwise."""
    body, _, mac = (code or "").strip().rpartition(".")
    parts = body.split(".")
    if (len(parts) != 4 or not all(p.isascii() for p in parts) or not parts[0].isdigit() or parts[1] not in DIRECTIONS
            or not parts[2].isdigit() or not hmac.compare_digest(mac.encode(), _mac(body).encode())):
        raise CodeRefused("二维码无效，请扫描活动现场组织者手机上的二维码")
    issued = datetime.datetime.fromtimestamp(int(parts[2]), tz=datetime.UTC)
    return int(parts[0]), parts[1], issued, parts[3]


def code_activity(code):
    activity_id, direction, _, _ = read_code(code)
    activity = Activity.objects.select_related("station").filter(pk=activity_id).first()
    if activity is None:
        raise CodeRefused("二维码无效，请扫描活动现场组织者手机上的二维码")
    return activity, direction


@transaction.atomic
def scan(code, resident):
    """Sign in (or out) with the code scanned at the place: refused when the code is not
    genuine, has expired (older than the preset's `code_seconds`), was used before by this
    volunteer, or the record is not in the state its direction needs. Sign-out measures the
    minutes from sign-in, capped at the activity's length."""
    activity_id, direction, issued, nonce = read_code(code)
    activity = Activity.objects.select_related("station", "campaign").filter(pk=activity_id).first()
    if activity is None:
        raise CodeRefused("二维码无效，请扫描活动现场组织者手机上的二维码")
    rules = spec(activity.campaign)
    now = timezone.now()
    age = (now - issued).total_seconds()
    if age > rules.code_seconds or age < -5:
        raise CodeRefused("二维码已过期，请扫描组织者手机上刷新后的二维码")
    volunteer = volunteer_for(activity.station, resident)
    record = (Record.objects.select_for_update().filter(activity=activity, volunteer=volunteer).first()
              if volunteer else None)
    if record is None or record.state == RecordState.CANCELLED:
        raise Conflict("您没有报名该活动")
    try:
        with transaction.atomic():
            UsedCode.objects.create(record=record, nonce=nonce, used_at=now)
    except IntegrityError:
        raise CodeRefused("该二维码已使用过，请扫描组织者手机上刷新后的二维码") from None
    if activity.state != Activity.State.OPEN:
        raise Conflict("该活动已取消")
    if direction == IN:
        if record.state != RecordState.SIGNED_UP:
            raise Conflict("您已签到")
        if now < activity.starts_at - datetime.timedelta(minutes=rules.sign_in_early_minutes):
            raise Conflict(f"活动开始前 {rules.sign_in_early_minutes} 分钟起可签到")
        if now >= activity.ends_at:
            raise Conflict("活动已结束，不能签到")
        record.state, record.signed_in_at = RecordState.SIGNED_IN, now
        record.save(update_fields=["state", "signed_in_at"])
        audit.record("volunteers.record.signed_in", target=record, after={"activity": activity.title})
        return record
    if record.state != RecordState.SIGNED_IN:
        raise Conflict("请先签到" if record.state == RecordState.SIGNED_UP else "您已签退")
    measured = int((now - record.signed_in_at).total_seconds() // 60)
    record.measured_minutes = max(0, min(measured, activity.length_minutes))
    record.state, record.signed_out_at = RecordState.SIGNED_OUT, now
    record.save(update_fields=["state", "signed_out_at", "measured_minutes"])
    audit.record("volunteers.record.signed_out", target=record,
                 after={"activity": activity.title, "minutes": record.measured_minutes})
    return record


# --- confirmation and objection ------------------------------------------------------------------------

def confirm_until(activity):
    return activity.ends_at + datetime.timedelta(days=spec(activity.campaign).confirm_days)


def object_until(record):
    return record.confirmed_at + datetime.timedelta(days=spec(record.campaign).confirm_days)


def _check_minutes(activity, minutes, measured, reason):
    errors = {}
    if minutes is None or minutes < 0:
        errors["hours"] = "请填写服务时长"
    elif minutes > activity.length_minutes:
        errors["hours"] = f"服务时长不能超过活动时长（{hours_text(activity.length_minutes)} 小时）"
    if minutes is not None and minutes != measured and len((reason or "").strip()) < 2:
        errors["reason"] = "调整签到签退时长须写明理由"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def confirm(record, *, actor, minutes=None, reason=""):
    """The organiser confirms the measured minutes (or corrects them, with a reason) within the
    preset's `confirm_days` after the activity's end. A volunteer who signed in but not out is
    confirmed with the minutes the organiser gives (a correction, so with a reason)."""
    record = (Record.objects.select_for_update(of=("self",)).select_related("activity__campaign", "activity__station")
              .get(pk=record.pk))
    activity = record.activity
    if activity is None:
        raise Conflict("帮扶服务由受助居民或服务站确认")
    _ensure_staff(actor, activity.station)
    if activity.state == Activity.State.CANCELLED:
        raise Conflict("该活动已取消")
    if record.state not in (RecordState.SIGNED_OUT, RecordState.SIGNED_IN):
        raise Conflict("该记录不在待确认状态")
    now = timezone.now()
    if now > confirm_until(activity):
        raise Conflict(f"已超过确认期限（活动结束后 {spec(activity.campaign).confirm_days} 天）")
    if now < activity.ends_at and record.state == RecordState.SIGNED_IN:
        raise Conflict("活动尚未结束，请等志愿者签退")
    measured = record.measured_minutes
    minutes = measured if minutes is None else minutes
    _check_minutes(activity, minutes, measured, reason)
    record.minutes, record.state = minutes, RecordState.CONFIRMED
    record.confirmed_how, record.confirmed_by, record.confirmed_at = ConfirmedBy.ORGANISER, actor, now
    record.reason = (reason or "").strip()
    record.save()
    audit.record("volunteers.record.confirmed", actor=actor, target=record, reason=record.reason,
                 before={"measured_minutes": measured}, after={"minutes": minutes})
    return record


@transaction.atomic
def object_to(record, resident, text):
    """The volunteer objects to the confirmed hours, once, within `confirm_days` of confirmation."""
    record = Record.objects.select_for_update(of=("self",)).select_related("volunteer", "campaign", "station").get(pk=record.pk)
    if resident is None or record.volunteer.phone != resident.phone:
        raise PermissionDenied("只能对自己的记录提出异议")
    if record.objected_at is not None:
        raise Conflict("每条记录只能提出一次异议")
    if record.state != RecordState.CONFIRMED:
        raise Conflict("时长确认后才能提出异议")
    if timezone.now() > object_until(record):
        raise Conflict(f"已超过异议期限（确认后 {spec(record.campaign).confirm_days} 天）")
    text = (text or "").strip()
    if len(text) < 5:
        raise ValidationError({"objection": "请写明异议（至少 5 个字）"})
    record.state, record.objection, record.objected_at = RecordState.OBJECTED, text, timezone.now()
    record.save(update_fields=["state", "objection", "objected_at"])
    audit.record("volunteers.record.objected", target=record, after={"objection": text})
    notify(station_staff(record.station), f"志愿者 {mask_name(record.volunteer.name)} 对服务时长提出异议，请复核",
           link=f"/volunteers/activities/{record.activity_id}/" if record.activity_id
           else f"/volunteers/help/{record.help_request_id}/")
    return record


@transaction.atomic
def resolve_objection(record, *, actor, minutes, reason):
    """The organiser reviews the objection: the hours kept or changed, always with a reason."""
    record = Record.objects.select_for_update(of=("self",)).select_related("activity__station", "station").get(pk=record.pk)
    _ensure_staff(actor, record.station)
    if record.state != RecordState.OBJECTED:
        raise Conflict("该记录没有待复核的异议")
    if len((reason or "").strip()) < 2:
        raise ValidationError({"reason": "请写明复核意见"})
    if record.activity is not None:
        _check_minutes(record.activity, minutes, record.measured_minutes, reason)
    before = record.minutes
    record.minutes, record.state, record.reason = minutes, RecordState.CONFIRMED, reason.strip()
    record.confirmed_by, record.confirmed_at = actor, timezone.now()
    record.save()
    audit.record("volunteers.record.objection_resolved", actor=actor, target=record, reason=record.reason,
                 before={"minutes": before}, after={"minutes": minutes})
    return record


# --- help requests ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HelpForm:
    group: str
    kind: str
    description: str
    address: str
    phone: str


@transaction.atomic
def request_help(campaign, station, data: HelpForm, *, resident=None, actor=None):
    """A household asks for help (its verified phone), or the station records the request on its
    behalf (`actor`, the station's staff)."""
    if actor is not None:
        _ensure_staff(actor, station)
    elif resident is None:
        raise PermissionDenied("请先验证手机号")
    errors = {}
    if data.group not in help_groups(campaign):
        errors["group"] = "请选择帮扶对象"
    if data.kind not in help_kinds(campaign):
        errors["kind"] = "请选择需求类别"
    if len(data.description.strip()) < 5:
        errors["description"] = "请说明需要什么帮助（至少 5 个字）"
    address = data.address.strip()
    if not address:
        errors["address"] = "请填写住址（楼栋-单元-室）"
    try:
        phone = clean_phone(data.phone)
    except ValidationError:
        errors["phone"] = "请填写 11 位手机号"
    if errors:
        raise ValidationError(errors)
    household = Household.objects.filter(community_id=station.community_id, key=address).first()
    help_request = HelpRequest.objects.create(
        campaign=campaign, station=station, company_id=station.company_id, district_id=station.district_id,
        household=household, address=address, group=data.group, kind=data.kind, description=data.description.strip(),
        phone=phone, resident=resident, recorded_by=actor, requested_at=timezone.now())
    audit.record("volunteers.help.requested", actor=actor, target=help_request,
                 after={"group": help_groups(campaign)[data.group], "kind": help_kinds(campaign)[data.kind],
                        "station": station.name})
    notify(station_staff(station), f"{station.name} 收到新的帮扶需求（{help_groups(campaign)[data.group]}）",
           link=f"/volunteers/help/{help_request.pk}/")
    return help_request


@transaction.atomic
def take_help(help_request, volunteer, *, actor=None, resident=None):
    """A volunteer of the station takes the request: themself from the phone, or assigned by staff."""
    help_request = HelpRequest.objects.select_for_update(of=("self",)).select_related("station").get(pk=help_request.pk)
    if actor is not None:
        _ensure_staff(actor, help_request.station)
    elif resident is None or volunteer.phone != resident.phone:
        raise PermissionDenied("只能以自己的身份认领")
    if volunteer.station_id != help_request.station_id:
        raise ValidationError({"volunteer": "只能由本服务站的志愿者认领"})
    if volunteer.phone == help_request.phone:  # nobody serves, and confirms, their own request
        raise ValidationError({"volunteer": "不能认领自己提出的帮扶需求"})
    if help_request.state != HelpRequest.State.OPEN:
        raise Conflict("该需求已被认领")
    help_request.state, help_request.volunteer, help_request.taken_at = HelpRequest.State.TAKEN, volunteer, timezone.now()
    help_request.save(update_fields=["state", "volunteer", "taken_at"])
    audit.record("volunteers.help.taken", actor=actor, target=help_request, after={"volunteer": mask_name(volunteer.name)})
    return help_request


def _help_minutes(campaign, minutes):
    cap = int(spec(campaign).help_hours_max * 60)
    if minutes is None or minutes <= 0:
        raise ValidationError({"hours": "请填写服务时长"})
    if minutes > cap:
        raise ValidationError({"hours": f"单次帮扶不超过 {hours_text(cap)} 小时"})
    return minutes


@transaction.atomic
def report_help(help_request, resident, *, minutes):
    """The volunteer who took it says it is done and how long it took; the household confirms."""
    help_request = (HelpRequest.objects.select_for_update(of=("self",)).select_related("volunteer", "campaign")
                    .get(pk=help_request.pk))
    if help_request.volunteer is None or resident is None or help_request.volunteer.phone != resident.phone:
        raise PermissionDenied("只有认领的志愿者可以填报")
    if help_request.state != HelpRequest.State.TAKEN:
        raise Conflict("该需求不在服务中")
    help_request.reported_minutes = _help_minutes(help_request.campaign, minutes)
    help_request.state, help_request.reported_at = HelpRequest.State.REPORTED, timezone.now()
    help_request.save(update_fields=["state", "reported_at", "reported_minutes"])
    audit.record("volunteers.help.reported", target=help_request, after={"minutes": help_request.reported_minutes})
    return help_request


@transaction.atomic
def confirm_help(help_request, *, resident=None, actor=None, minutes=None, note=""):
    """The household confirms it was done (its own phone), or the station records a call to the
    household (`actor`, with the minutes and what the household said). Either makes the
    volunteer's confirmed record, counted like an activity's."""
    help_request = (HelpRequest.objects.select_for_update(of=("self",)).select_related("volunteer", "campaign", "station")
                    .get(pk=help_request.pk))
    if actor is not None:
        _ensure_staff(actor, help_request.station)
        how = ConfirmedBy.CALL
        if help_request.state not in (HelpRequest.State.TAKEN, HelpRequest.State.REPORTED):
            raise Conflict("该需求不在待确认状态")
        minutes = _help_minutes(help_request.campaign, minutes if minutes is not None else help_request.reported_minutes)
        if len((note or "").strip()) < 2:
            raise ValidationError({"note": "请记录电话回访情况"})
    else:
        if resident is None or help_request.phone != resident.phone:
            raise PermissionDenied("只有提出需求的居民可以确认")
        if help_request.volunteer.phone == resident.phone:
            raise PermissionDenied("志愿者不能确认自己的服务")
        how = ConfirmedBy.HOUSEHOLD
        if help_request.state != HelpRequest.State.REPORTED:
            raise Conflict("志愿者尚未填报完成")
        minutes = help_request.reported_minutes
    now = timezone.now()
    help_request.state, help_request.done_at = HelpRequest.State.DONE, now
    help_request.save(update_fields=["state", "done_at"])
    record = Record.objects.create(
        campaign=help_request.campaign, volunteer=help_request.volunteer, help_request=help_request,
        station=help_request.station, company_id=help_request.company_id, district_id=help_request.district_id,
        state=RecordState.CONFIRMED, served_on=help_request.reported_at or now, measured_minutes=minutes,
        minutes=minutes, confirmed_how=how, confirmed_by=actor, confirmed_at=now, reason=(note or "").strip())
    audit.record("volunteers.help.done", actor=actor, target=help_request,
                 after={"how": ConfirmedBy(how).label, "minutes": minutes, "record": record.pk})
    return help_request


# --- records, certificates, figures ---------------------------------------------------------------------

def confirmed(queryset=None):
    return (queryset if queryset is not None else Record.objects.all()).filter(state=RecordState.CONFIRMED)


def totals(records):
    """{"records", "minutes", "first", "last"} of confirmed records."""
    row = confirmed(records).aggregate(n=Count("pk"), minutes=Sum("minutes"), first=Min("served_on"),
                                       last=Max("served_on"))
    return {"records": row["n"], "minutes": row["minutes"] or 0, "first": row["first"], "last": row["last"]}


def content_of(record, campaign):
    """What the service was (the national record's 服务内容)."""
    if record.activity_id:
        return record.activity.title
    group = help_groups(campaign).get(record.help_request.group, "")
    return f"{group}帮扶：{help_kinds(campaign).get(record.help_request.kind, '')}"


def place_of(record):
    if record.activity_id:
        return record.activity.place
    return f"{record.station.community.name} {record.help_request.address}"


def recorder_of(record):
    """谁记录谁证明: who confirmed the hours."""
    if record.confirmed_how == ConfirmedBy.HOUSEHOLD:
        return f"受助居民（{mask_phone(record.help_request.phone)}）确认"
    who = (record.confirmed_by.display_name or record.confirmed_by.username) if record.confirmed_by else ""
    return f"{record.get_confirmed_how_display()}：{who}" if who else record.get_confirmed_how_display()


@transaction.atomic
def issue_certificate(campaign, volunteer, *, actor=None, resident=None):
    """A numbered 志愿服务记录证明 of the volunteer's confirmed records at the station, issued by
    the station's company (its staff, or asked for by the volunteer from the phone)."""
    if actor is not None:
        _ensure_staff(actor, volunteer.station)
    elif resident is None or resident.phone != volunteer.phone:
        raise PermissionDenied("只能为自己开具证明")
    station = Station.objects.select_related("company").get(pk=volunteer.station_id)
    figures = totals(Record.objects.filter(volunteer=volunteer))
    if not figures["records"]:
        raise Conflict("暂无已确认的服务记录，不能开具证明")
    now = timezone.now()
    certificate = Certificate.objects.create(
        number=f"-{secrets.token_hex(8)}", volunteer=volunteer, station=station, company_id=station.company_id,
        district_id=station.district_id, name=volunteer.name, records=figures["records"], minutes=figures["minutes"],
        first_on=figures["first"], last_on=figures["last"], issued_at=now, issued_by=actor)
    certificate.number = f"{spec(campaign).certificate_prefix}{timezone.localdate(now):%Y%m%d}{certificate.pk:06d}"
    certificate.save(update_fields=["number"])
    audit.record("volunteers.certificate.issued", actor=actor, target=certificate,
                 after={"number": certificate.number, "records": certificate.records, "minutes": certificate.minutes})
    return certificate


def public_check(number):
    """What anyone may read of a certificate by its number: masked name and totals, the issuer."""
    certificate = Certificate.objects.select_related("station", "company").filter(number=(number or "").strip()[:24]).first()
    if certificate is None:
        return None
    return {"number": certificate.number, "name": mask_name(certificate.name), "records": certificate.records,
            "hours": hours_text(certificate.minutes), "station": certificate.station.name,
            "company": certificate.company.name, "issued_on": timezone.localdate(certificate.issued_at).isoformat()}


def figures(campaign, stations, *, now=None):
    """Per station of `stations` (a scoped queryset): confirmed hours, active volunteers (a
    confirmed record within the preset's `active_days`), help requests served and waiting;
    and the same summed per company and per district."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=spec(campaign).active_days)
    station_ids = list(stations.values_list("pk", flat=True))
    records = Record.objects.filter(campaign=campaign, state=RecordState.CONFIRMED, station_id__in=station_ids)
    by_station = {r["station_id"]: r for r in records.values("station_id").annotate(minutes=Sum("minutes"))}
    active = {r["station_id"]: r["n"] for r in records.filter(served_on__gte=since).values("station_id")
              .annotate(n=Count("volunteer", distinct=True))}
    helps = {(r["station_id"], r["state"]): r["n"] for r in HelpRequest.objects.filter(
        campaign=campaign, station_id__in=station_ids).values("station_id", "state").annotate(n=Count("pk"))}
    waiting_states = (HelpRequest.State.OPEN, HelpRequest.State.TAKEN, HelpRequest.State.REPORTED)
    rows = []
    for station in stations.select_related("company", "district", "community").order_by("district__name", "name"):
        rows.append({"station": station, "company": station.company, "district": station.district,
                     "minutes": (by_station.get(station.pk) or {}).get("minutes") or 0,
                     "active": active.get(station.pk, 0),
                     "served": helps.get((station.pk, HelpRequest.State.DONE), 0),
                     "waiting": sum(helps.get((station.pk, s), 0) for s in waiting_states)})

    def roll(key):
        out = {}
        for row in rows:
            entry = out.setdefault(row[key].pk, {key: row[key], "stations": 0, "minutes": 0, "served": 0,
                                                 "waiting": 0})
            entry["stations"] += 1
            for name in ("minutes", "served", "waiting"):
                entry[name] += row[name]
        # active volunteers are counted once each, not summed over stations
        field = "company_id" if key == "company" else "district_id"
        counted = {r[field]: r["n"] for r in records.filter(served_on__gte=since).values(field)
                   .annotate(n=Count("volunteer__phone_hash", distinct=True))}
        for pk, entry in out.items():
            entry["active"] = counted.get(pk, 0)
        return list(out.values())

    companies, districts = roll("company"), roll("district")
    for entry in (*rows, *companies, *districts):
        entry["hours"] = hours_text(entry["minutes"])
    return {"stations": rows, "companies": companies, "districts": districts}


def district_totals(campaign, district_ids=None):
    """Confirmed minutes and distinct volunteers per district in one grouped query (the bench's)."""
    records = Record.objects.filter(campaign=campaign, state=RecordState.CONFIRMED)
    if district_ids is not None:
        records = records.filter(district_id__in=district_ids)
    return {r["district_id"]: {"minutes": r["minutes"] or 0, "volunteers": r["n"]}
            for r in records.values("district_id").annotate(minutes=Sum("minutes"), n=Count("volunteer", distinct=True))}


EXPORT_HEADERS = ("志愿者姓名", "联系电话", "志愿者类别", "所属服务站", "活动（服务）名称", "服务内容", "服务地点",
                  "服务开始时间", "服务结束时间", "服务时长（小时）", "记录人", "记录单位", "记录时间")


def export_rows(records, campaign):
    """The national record's fields (《志愿服务记录与证明出具办法（试行）》第七条) for each confirmed
    record: identity, time, place, content, hours, and who recorded it. Read as plain values, the
    names of stations, companies and recorders looked up once (100k records in seconds)."""
    tz = campaign.tz
    kinds = activity_types(campaign)
    groups, helps = help_groups(campaign), help_kinds(campaign)
    how_names = dict(ConfirmedBy.choices)
    kind_names = dict(Kind.choices)
    queryset = confirmed(records).order_by("served_on", "pk")
    stations = {pk: (name, community) for pk, name, community in Station.objects.filter(
        pk__in=queryset.values("station_id")).values_list("pk", "name", "community__name")}
    companies = dict(Station.objects.filter(pk__in=stations).values_list("company_id", "company__name"))
    users = {pk: display or username for pk, display, username in User.objects.filter(
        pk__in=queryset.exclude(confirmed_by=None).values("confirmed_by_id")).values_list("pk", "display_name",
                                                                                         "username")}

    def moment(value):
        return value.astimezone(tz).replace(tzinfo=None) if value else None

    rows = queryset.values_list(
        "volunteer__name", "volunteer__phone", "volunteer__kind", "station_id", "company_id", "activity_id",
        "activity__title", "activity__kind", "activity__content", "activity__place", "activity__starts_at",
        "activity__ends_at", "help_request__group", "help_request__kind", "help_request__description",
        "help_request__address", "help_request__taken_at", "help_request__phone", "signed_in_at", "signed_out_at",
        "served_on", "minutes", "confirmed_how", "confirmed_by_id", "confirmed_at")
    for (name, phone, kind, station_id, company_id, activity_id, title, a_kind, a_content, place, starts, ends,
         group, h_kind, h_description, address, taken_at, h_phone, signed_in, signed_out, served_on, minutes, how,
         confirmed_by, confirmed_at) in rows.iterator(chunk_size=5000):
        station, community = stations.get(station_id, ("", ""))
        if activity_id:
            content = f"{kinds.get(a_kind, '')}：{a_content}"
            start, end = signed_in or starts, signed_out or ends
        else:
            title = f"{groups.get(group, '')}帮扶"
            content, place = f"{helps.get(h_kind, '')}：{h_description}", f"{community} {address}"
            start, end = taken_at or served_on, served_on
        if how == ConfirmedBy.HOUSEHOLD:
            recorder = f"受助居民（{mask_phone(h_phone)}）确认"
        elif confirmed_by in users:
            recorder = f"{how_names.get(how, '')}：{users[confirmed_by]}"
        else:
            recorder = how_names.get(how, "")
        yield (name, mask_phone(phone), kind_names.get(kind, ""), station, title, content, place, moment(start),
               moment(end), float(hours_text(minutes)), recorder, companies.get(company_id, ""), moment(confirmed_at))


def review_panel(application, user):
    """Beside an application in review (the district's review, the office, the expert's sheet):
    the candidate community's volunteer station and its figures this campaign, the evidence for
    the checklist's 志愿服务 items (VO1 a station with people and records, VO2 repairs and help)."""
    if application.community_id is None:
        return None
    district_officer = user.role == Role.DISTRICT and user.district_id == application.district_id
    if not (user.is_superuser or user.role in (Role.OFFICE, Role.EXPERT) or district_officer):
        return None
    station = Station.objects.filter(community_id=application.community_id).first()
    if station is None:
        return {"title": "志愿服务情况", "rows": [("志愿者服务站", "未登记")], "warning": True}
    campaign = application.campaign
    records = Record.objects.filter(campaign=campaign, station=station)
    figures = totals(records)
    held = Activity.objects.filter(campaign=campaign, station=station, state=Activity.State.OPEN,
                                   ends_at__lte=timezone.now()).count()
    helps = HelpRequest.objects.filter(campaign=campaign, station=station)
    rows = [("志愿者服务站", station.name), ("登记志愿者", station.volunteers.count()), ("已开展活动", held),
            ("确认服务时长（小时）", hours_text(figures["minutes"])),
            ("帮扶已办结 / 待办", f"{helps.filter(state=HelpRequest.State.DONE).count()} / "
             f"{helps.exclude(state__in=(HelpRequest.State.DONE, HelpRequest.State.CANCELLED)).count()}")]
    return {"title": "志愿服务情况", "rows": rows, "warning": not figures["records"]}
