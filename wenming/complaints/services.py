"""Every state change of a complaint, its timers, and the rates derived from them.

Steps and limits are the preset's `complaints` section: a ticket's urgency (at least its
category's) sets how long 接待, 处理 and 反馈 may take, counted from the filing in round-the-clock
time, working hours or working days (`core.workdays.deadline`); a reopened ticket counts 处理
and 反馈 again from the reopening. No step can be skipped (Conflict). Reminders and escalations
are made by `sweep`, once per ticket, step and round (a unique constraint, so two sweeps running
together send one); so are the flags of repeated complaints."""

import datetime
import hashlib
import json
import secrets
from dataclasses import dataclass
from fractions import Fraction

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, Exists, F, Max, Min, OuterRef, Q, Value, When
from django.utils import timezone

from wenming.campaigns.models import Campaign
from wenming.campaigns.presets import ComplaintsSpec
from wenming.complaints.models import OPEN_STATES, EventKind, FollowUpBy, RepeatFlag, State, Ticket, TicketEvent, TicketPhoto
from wenming.core import audit, workdays
from wenming.core.access import is_office
from wenming.core.errors import Conflict, DomainError
from wenming.core.models import IdempotentResponse, User
from wenming.core.notifications import notify, notify_each, notify_residents, resolve
from wenming.core.roles import Role
from wenming.core.validators import mask_phone
from wenming.credit import services as credit
from wenming.credit.models import Source
from wenming.registry.models import Community, Household

STEPS = ("receive", "handle", "answer", "follow_up")
STEP_NAMES = {"receive": "接待", "handle": "处理", "answer": "反馈", "follow_up": "回访"}
SATISFIED_FROM = 4  # 满意 and 非常满意 on the five-point scale
# the step an open ticket waits on, by state
WAITING_ON = {State.FILED: "receive", State.RECEIVED: "handle", State.HANDLING: "answer", State.ANSWERED: "follow_up"}


def spec(campaign) -> ComplaintsSpec:
    rules = campaign.typed_rules.complaints
    if rules is None:
        raise Conflict("本活动未设置投诉处理规则")
    return rules


def categories(campaign):
    return {c.key: c for c in spec(campaign).categories}


def urgencies(campaign):
    """{key: UrgencySpec}, most urgent first (the preset's order)."""
    return spec(campaign).levels()


def effective_urgency(rules: ComplaintsSpec, category, chosen):
    """The more urgent of what the resident chose and the category's own (an entrapment is
    always 紧急, whatever was ticked)."""
    order = list(rules.levels())
    least = next(c.urgency for c in rules.categories if c.key == category)
    if chosen not in order:
        return least
    return order[min(order.index(least), order.index(chosen))]


def _deadline(campaign, rules, start, limit):
    day_start, day_end = rules.working_day
    return workdays.deadline(start, limit.value, limit.unit, tz=campaign.tz, day_start=day_start, day_end=day_end)


def due_dates(campaign, rules, urgency, start):
    """{step: when its limit runs out} for a round starting at `start`."""
    level = rules.levels()[urgency]
    return {"receive_due": _deadline(campaign, rules, start, level.receive),
            "handle_due": _deadline(campaign, rules, start, level.handle),
            "answer_due": _deadline(campaign, rules, start, level.answer)}


def limits_in_words(campaign, urgency):
    level = spec(campaign).levels()[urgency]
    return {step: workdays.describe_limit(getattr(level, step).value, getattr(level, step).unit)
            for step in ("receive", "handle", "answer")}


# --- who may do what ------------------------------------------------------------------------------

def is_company_staff(user, ticket):
    return bool(user.is_authenticated and user.is_active and user.role == Role.COMPANY
                and user.company_id == ticket.company_id)


def _ensure_company(actor, ticket):
    if not is_company_staff(actor, ticket):
        raise PermissionDenied("只有负责该小区的物业服务企业可以办理此投诉")


def _ensure_district(actor, ticket):
    if not (is_office(actor) or (actor.role == Role.DISTRICT and actor.district_id == ticket.district_id)):
        raise PermissionDenied("只有本区住建局或市评选工作办公室可以进行此操作")


def handlers(ticket):
    """The company's active staff accounts, who may be assigned the ticket."""
    return User.objects.filter(role=Role.COMPANY, company_id=ticket.company_id, is_active=True).order_by("pk")


def phone_for(ticket, user):
    """The resident's phone as `user` may see it: in full only for the company handling the
    ticket (each showing is logged on the ticket, not shown to the resident), masked to anyone
    else."""
    if is_company_staff(user, ticket):
        TicketEvent.objects.create(ticket=ticket, kind=EventKind.PHONE_SHOWN, round=ticket.round, actor=user,
                                   public=False, at=timezone.now())
        return ticket.phone
    return mask_phone(ticket.phone)


# --- filing ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Filing:
    """What a complaint says, from the resident's page, the desk or a hotline work order."""

    community: Community
    category: str
    urgency: str
    description: str
    phone: str
    location: str = ""
    household: str = ""  # a household key of the community's register, when it has one


def complaint_communities(campaign):
    """Communities complaints can be filed for: the campaign's, with a company to send them to."""
    return Community.objects.filter(district__in=campaign.districts.all(), company__isnull=False)


def open_repeat(campaign, resident, community, category, at=None):
    """The resident's open ticket of the same community and category filed within the preset's
    `merge_within_hours`: a new filing is offered as an update of it."""
    if resident is None:
        return None
    hours = spec(campaign).merge_within_hours
    since = (at or timezone.now()) - datetime.timedelta(hours=hours)
    return (Ticket.objects.filter(campaign=campaign, resident=resident, community=community, category=category,
                                  state__in=OPEN_STATES, filed_at__gte=since).order_by("-filed_at").first())


def _check(campaign, rules, filing, photos):
    errors = {}
    if filing.category not in {c.key for c in rules.categories}:
        errors["category"] = "请选择投诉类别"
    description = filing.description.strip()
    if len(description) < 5:
        errors["description"] = "请描述问题（至少 5 个字）"
    if len(photos) > rules.photos_max:
        errors["photos"] = f"照片最多 {rules.photos_max} 张"
    if filing.community.company_id is None:
        errors["community"] = "该小区在名录中没有物业服务企业，无法派单"
    household = None
    if filing.household:
        household = Household.objects.filter(community=filing.community, key=filing.household).first()
        if household is None:
            errors["household"] = "该户不在本小区的住户登记中"
    if errors:
        raise ValidationError(errors)
    return description, household


def _number(ticket, tz):
    """The public number: the filing day and the ticket's id, digits only (read out on the phone)."""
    return f"{timezone.localtime(ticket.filed_at, tz):%Y%m%d}{ticket.pk:06d}"


def file_ticket(campaign, filing: Filing, **how):
    """A new ticket, with its limits, its photos (already checked and re-encoded), the company
    told: `_new_ticket` in a transaction of its own (or a savepoint of the caller's)."""
    with transaction.atomic():
        return _new_ticket(campaign, filing, **how)


def _new_ticket(campaign, filing: Filing, *, source, resident=None, actor=None, photos=(), hotline_number=None,
                filed_at=None):
    """The ticket's rows, in the caller's transaction. `actor` is the desk's staff account for
    a complaint taken by phone or at the desk."""
    rules = spec(campaign)
    desk_staff = actor is not None and actor.role == Role.COMPANY and actor.company_id == filing.community.company_id
    if source == "desk" and not desk_staff:
        raise PermissionDenied("只有负责该小区的物业服务企业可以代录投诉")
    description, household = _check(campaign, rules, filing, photos)
    filed_at = filed_at or timezone.now()
    urgency = effective_urgency(rules, filing.category, filing.urgency)
    ticket = Ticket(campaign=campaign, number=f"-{secrets.token_hex(8)}", source=source,
                    hotline_number=hotline_number, community=filing.community, company_id=filing.community.company_id,
                    district_id=filing.community.district_id, household=household, resident=resident,
                    phone=filing.phone, category=filing.category, urgency=urgency, description=description,
                    location=filing.location.strip(), filed_at=filed_at,
                    **due_dates(campaign, rules, urgency, filed_at))
    ticket.save()
    ticket.number = _number(ticket, campaign.tz)
    ticket.save(update_fields=["number"])
    event = TicketEvent.objects.create(ticket=ticket, kind=EventKind.FILED, round=1, actor=actor, at=filed_at,
                                       note=description)
    _save_photos(ticket, event, photos)
    audit.record("complaints.ticket.filed", actor=actor, target=ticket,
                 after={"number": ticket.number, "source": source, "category": ticket.category,
                        "urgency": urgency, "community": filing.community.name})
    notify(handlers(ticket), f"新投诉 {ticket.number}（{filing.community.name}，{categories(campaign)[ticket.category].name}），"
           f"请于 {timezone.localtime(ticket.receive_due, campaign.tz):%m-%d %H:%M} 前接待",
           link=f"/complaints/{ticket.pk}/", kind="complaint", key=f"complaints.ticket.{ticket.pk}.receive")
    return ticket


def _save_photos(ticket, event, photos):
    for clean in photos:
        photo = TicketPhoto(ticket=ticket, event=event)
        photo.image.save(clean.content.name, clean.content, save=False)
        photo.save()


@transaction.atomic
def add_update(ticket, text, *, resident, photos=()):
    """The resident adds to their open ticket (instead of filing the same complaint again)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if resident is None or ticket.resident_id != resident.pk:
        raise PermissionDenied("只能补充自己的投诉")
    if not ticket.is_open:
        raise Conflict("该投诉已办结，请重新提交")
    text = (text or "").strip()
    if len(text) < 2:
        raise ValidationError({"description": "请填写补充的情况"})
    if ticket.photos.count() + len(photos) > spec(ticket.campaign).photos_max:
        raise ValidationError({"photos": f"每件投诉的照片最多 {spec(ticket.campaign).photos_max} 张"})
    event = TicketEvent.objects.create(ticket=ticket, kind=EventKind.UPDATED, round=ticket.round, note=text,
                                       at=timezone.now())
    _save_photos(ticket, event, photos)
    audit.record("complaints.ticket.updated", target=ticket, after={"number": ticket.number})
    notify(handlers(ticket), f"投诉 {ticket.number} 有居民补充的情况", link=f"/complaints/{ticket.pk}/", kind="complaint")
    return ticket


class SameComplaintOpen(Conflict):
    """The resident's same complaint (community and category) is open and was filed within the
    preset's `merge_within_hours`: add to it, or file anew on purpose."""

    code = "same_complaint_open"


class KeyReused(ValidationError):
    """An Idempotency-Key sent again with another body."""


def _filing_hash(filing, photos):
    data = {"community": filing.community.pk, "category": filing.category, "urgency": filing.urgency,
            "description": filing.description.strip(), "location": filing.location.strip(),
            "household": filing.household, "photos": [p.sha256 for p in photos]}
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def ticket_answer(ticket, tz):
    """What the API answers for a ticket (and stores for an Idempotency-Key replay)."""
    def moment(value):
        return timezone.localtime(value, tz).isoformat() if value else None

    return {"number": ticket.number, "state": ticket.state, "state_name": ticket.get_state_display(),
            "community_id": ticket.community_id, "category": ticket.category, "urgency": ticket.urgency,
            "filed_at": moment(ticket.filed_at), "receive_due": moment(ticket.receive_due),
            "answer_due": moment(ticket.answer_due), "answer": ticket.answer or None, "round": ticket.round}


def file_from_phone(campaign, filing, *, resident, key=None, photos=(), as_new=False):
    """A resident's filing from a phone: (status, body). With an Idempotency-Key a repeat of the
    same body answers the first answer and files nothing; the same key with another body is
    refused (KeyReused). The same complaint filed within the day is refused (SameComplaintOpen)
    unless `as_new`."""
    scope = f"complaint:{resident.pk}"
    digest = _filing_hash(filing, photos)
    if key:
        stored = IdempotentResponse.objects.filter(scope=scope, key=key).first()
        if stored is not None:
            if stored.request_hash != digest:
                raise KeyReused("该 Idempotency-Key 已用于另一件投诉")
            return stored.status, stored.body
    if not as_new:
        repeat = open_repeat(campaign, resident, filing.community, filing.category)
        if repeat is not None:
            raise SameComplaintOpen(f"您今天已提交过同类投诉（编号 {repeat.number}），可补充到原投诉，或确认仍作为新投诉提交")
    try:
        with transaction.atomic():
            ticket = _new_ticket(campaign, filing, source="resident", resident=resident, photos=photos)
            body = ticket_answer(ticket, campaign.tz)
            if key:
                IdempotentResponse.objects.create(scope=scope, key=key, request_hash=digest, status=201, body=body)
    except IntegrityError:  # the same key sent twice at once: the first one filed
        stored = IdempotentResponse.objects.filter(scope=scope, key=key).first() if key else None
        if stored is None:
            raise
        if stored.request_hash != digest:
            raise KeyReused("该 Idempotency-Key 已用于另一件投诉") from None
        return stored.status, stored.body
    return 201, body


def flag_repeats(campaign, at=None):
    """Communities with the preset's `repeat.count` complaints of one category or more, filed
    within `repeat.within_days` before `at`: one open flag each, its count and last filing kept
    current, the district told once when it is raised. A group whose flag was decided (listed
    for inspection or dismissed) is raised again only by a complaint filed after that flag's
    last one. Run by the sweep, so a filing takes no lock on a flag. Returns the flags raised."""
    at = at or timezone.now()
    rules = spec(campaign)
    names = {c.key: c.name for c in rules.categories}
    groups = (Ticket.objects.filter(campaign=campaign, filed_at__gt=at - datetime.timedelta(days=rules.repeat.within_days),
                                    filed_at__lte=at, category__in=names)
              .values("community_id", "category")
              .annotate(count=Count("pk"), first_at=Min("filed_at"), last_at=Max("filed_at"), district_id=Min("district_id"))
              .filter(count__gte=rules.repeat.count).order_by("community_id", "category"))
    flags = RepeatFlag.objects.filter(campaign=campaign)
    open_flags = {(f.community_id, f.category): f for f in flags.filter(state=RepeatFlag.State.OPEN)}
    decided = {(row["community_id"], row["category"]): row["last"] for row in
               flags.exclude(state=RepeatFlag.State.OPEN).values("community_id", "category").annotate(last=Max("last_at"))}
    raised = []
    for group in groups:
        key = (group["community_id"], group["category"])
        flag = open_flags.get(key)
        if flag is not None:
            if (flag.count, flag.last_at) != (group["count"], group["last_at"]):
                RepeatFlag.objects.filter(pk=flag.pk).update(count=group["count"], last_at=group["last_at"])
            continue
        last_decided = decided.get(key)
        if last_decided is None or group["last_at"] > last_decided:
            raised.append(RepeatFlag(campaign=campaign, **group))
    if not raised:
        return raised
    # Called by the sweep under its lock: no other sweep raises these at the same time (and
    # the one-open-flag constraint would refuse a second).
    RepeatFlag.objects.bulk_create(raised)
    community_names = dict(Community.objects.filter(pk__in={f.community_id for f in raised}).values_list("pk", "name"))
    officers = {}
    for district_id in {f.district_id for f in raised}:
        officers[district_id] = list(User.objects.filter(role=Role.DISTRICT, district_id=district_id, is_active=True))
    audit.record_many([audit.build("complaints.repeat.flagged", target_type="complaints.repeatflag", target_id=f.pk,
                                   after={"community": community_names[f.community_id], "category": names[f.category],
                                          "count": f.count}) for f in raised])
    notify_each([(officers[f.district_id], f"{community_names[f.community_id]}{rules.repeat.within_days} 天内有 "
                  f"{f.count} 件“{names[f.category]}”投诉，建议列入督查", "/complaints/repeats/") for f in raised],
                kind="complaint")
    return raised


@transaction.atomic
def decide_repeat(flag, *, actor, inspect, note=""):
    """The district puts a repeat on its supervision list, or not (with a note)."""
    flag = RepeatFlag.objects.select_for_update().get(pk=flag.pk)
    if not (is_office(actor) or (actor.role == Role.DISTRICT and actor.district_id == flag.district_id)):
        raise PermissionDenied("只有本区住建局或市评选工作办公室可以处理")
    if flag.state != RepeatFlag.State.OPEN:
        raise Conflict("已处理")
    note = (note or "").strip()
    if not inspect and not note:
        raise ValidationError({"note": "不列入督查时请说明原因"})
    flag.state = RepeatFlag.State.INSPECT if inspect else RepeatFlag.State.DISMISSED
    flag.decided_by, flag.note = actor, note
    flag.save(update_fields=["state", "decided_by", "note"])
    audit.record("complaints.repeat.decided", actor=actor, target=flag, reason=note,
                 after={"state": flag.get_state_display()})
    return flag


# --- the four steps ------------------------------------------------------------------------------

def _locked(ticket):
    return Ticket.objects.select_for_update().select_related("campaign", "community").get(pk=ticket.pk)


def _require(ticket, *states, doing):
    if ticket.state not in states:
        raise Conflict(f"该投诉当前为“{ticket.get_state_display()}”，不能{doing}")


def _event(ticket, kind, actor, note="", photos=(), step=""):
    event = TicketEvent.objects.create(ticket=ticket, kind=kind, step=step, round=ticket.round, actor=actor,
                                       note=note, at=timezone.now())
    _save_photos(ticket, event, photos)
    audit.record(f"complaints.ticket.{kind}", actor=actor, target=ticket,
                 after={"number": ticket.number, "state": ticket.get_state_display(), "round": ticket.round})
    return event


@transaction.atomic
def receive(ticket, *, actor, handler):
    """接待: the company acknowledges the ticket and names who handles it."""
    ticket = _locked(ticket)
    _ensure_company(actor, ticket)
    _require(ticket, State.FILED, doing="接待")
    if handler is None or not handlers(ticket).filter(pk=handler.pk).exists():
        raise ValidationError({"handler": "请选择本企业的经办人"})
    now = timezone.now()
    ticket.state, ticket.handler, ticket.received_at = State.RECEIVED, handler, now
    ticket.received_in_time = now <= ticket.receive_due
    ticket.save(update_fields=["state", "handler", "received_at", "received_in_time", "updated_at"])
    _event(ticket, EventKind.RECEIVED, actor)  # the handler is shown to staff, not on the resident's timeline
    resolve(f"complaints.ticket.{ticket.pk}.receive")  # "请于…前接待" is done, for every handler told
    if handler != actor:
        notify([handler], f"投诉 {ticket.number} 已指派给您办理", link=f"/complaints/{ticket.pk}/", kind="complaint")
    return ticket


@transaction.atomic
def start_handling(ticket, *, actor, note="", photos=()):
    """处理: work has started (on site)."""
    ticket = _locked(ticket)
    _ensure_company(actor, ticket)
    _require(ticket, State.RECEIVED, doing="开始处理")
    ticket.state, ticket.handling_at = State.HANDLING, timezone.now()
    ticket.save(update_fields=["state", "handling_at", "updated_at"])
    _event(ticket, EventKind.HANDLING, actor, note=(note or "").strip(), photos=photos)
    return ticket


@transaction.atomic
def add_note(ticket, *, actor, note, photos=()):
    ticket = _locked(ticket)
    _ensure_company(actor, ticket)
    _require(ticket, State.HANDLING, doing="记录处理情况")
    note = (note or "").strip()
    if not note and not photos:
        raise ValidationError({"note": "请填写处理情况或上传照片"})
    _event(ticket, EventKind.NOTE, actor, note=note, photos=photos)
    return ticket


@transaction.atomic
def answer(ticket, *, actor, text, photos=()):
    """反馈: the reply to the resident with the result; the return visit is due from now."""
    ticket = _locked(ticket)
    _ensure_company(actor, ticket)
    _require(ticket, State.HANDLING, doing="反馈")
    text = (text or "").strip()
    if len(text) < 5:
        raise ValidationError({"answer": "请写明处理结果（至少 5 个字）"})
    rules = spec(ticket.campaign)
    now = timezone.now()
    ticket.state, ticket.answer, ticket.answered_at = State.ANSWERED, text, now
    ticket.answered_in_time = now <= ticket.answer_due
    ticket.resident_reply_until = now + datetime.timedelta(days=rules.follow_up.resident_days)
    ticket.follow_up_due = now + datetime.timedelta(days=rules.follow_up.call_days)
    ticket.save(update_fields=["state", "answer", "answered_at", "answered_in_time", "resident_reply_until",
                               "follow_up_due", "updated_at"])
    _event(ticket, EventKind.ANSWERED, actor, note=text, photos=photos)
    reply = f"您的投诉 {ticket.number} 已有处理结果：{text[:40]}。请在“我的投诉”中查看并告诉我们是否已解决"
    notify_residents([(ticket.phone, reply, f"complaints.ticket.{ticket.pk}.answer.{ticket.round}")],
                     kind="complaint_answered")
    if not ticket.answered_in_time:
        _credit(ticket, "answer_overdue", actor=actor)
    return ticket


def who_may_follow_up(ticket, user=None, resident=None, at=None):
    """FollowUpBy of who may record the return visit now, or None: the resident any time after
    the reply; the company once the resident's days have passed; the district (or office) once
    the visit is overdue."""
    at = at or timezone.now()
    if ticket.state != State.ANSWERED:
        return None
    if resident is not None:
        return FollowUpBy.RESIDENT if ticket.resident_id == resident.pk else None
    if user is None:
        return None
    if is_company_staff(user, ticket):
        return FollowUpBy.COMPANY if at >= ticket.resident_reply_until else None
    if is_office(user) or (user.role == Role.DISTRICT and user.district_id == ticket.district_id):
        return FollowUpBy.DISTRICT if at >= ticket.follow_up_due else None
    return None


@transaction.atomic
def follow_up(ticket, *, fixed, satisfaction, actor=None, resident=None, note=""):
    """回访: "fixed?" and a satisfaction score (1–5). Not fixed reopens the ticket (重办): back to
    handling with new limits from now, and the preset's credit rule for an unresolved complaint."""
    ticket = _locked(ticket)
    _require(ticket, State.ANSWERED, doing="回访")
    by = who_may_follow_up(ticket, user=actor, resident=resident)
    if by is None:
        if resident is not None:
            raise PermissionDenied("只能回访自己的投诉")
        if is_company_staff(actor, ticket):
            until = timezone.localtime(ticket.resident_reply_until, ticket.campaign.tz)
            raise Conflict(f"请等待居民答复（至 {until:%m-%d %H:%M}），居民未答复再电话回访")
        if actor is not None and (is_office(actor) or actor.district_id == ticket.district_id):
            raise Conflict("回访期限未到，由物业企业先行回访")
        raise PermissionDenied("无权回访该投诉")
    if fixed is None:
        raise ValidationError({"fixed": "请选择问题是否已解决"})
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise ValidationError({"satisfaction": "满意度为 1 至 5 分"})
    note = (note or "").strip()
    if by != FollowUpBy.RESIDENT and not note:
        raise ValidationError({"note": "电话回访请记录居民的答复"})
    now = timezone.now()
    ticket.fixed, ticket.satisfaction, ticket.follow_up_by = fixed, satisfaction, by
    words = f"{'已解决' if fixed else '未解决'}" + (f"，满意度 {satisfaction} 分" if satisfaction else "")
    if fixed:
        ticket.state, ticket.followed_up_at = State.FOLLOWED_UP, now
        ticket.save(update_fields=["state", "fixed", "satisfaction", "follow_up_by", "followed_up_at", "updated_at"])
        _event(ticket, EventKind.FOLLOWED_UP, actor, note=f"{FollowUpBy(by).label}：{words}" + (f"。{note}" if note else ""))
        return ticket
    _event(ticket, EventKind.FOLLOWED_UP, actor, note=f"{FollowUpBy(by).label}：{words}" + (f"。{note}" if note else ""))
    rules = spec(ticket.campaign)
    dues = due_dates(ticket.campaign, rules, ticket.urgency, now)
    ticket.state, ticket.round = State.HANDLING, ticket.round + 1
    ticket.handle_due, ticket.answer_due = dues["handle_due"], dues["answer_due"]
    ticket.handling_at, ticket.answered_at, ticket.answered_in_time = now, None, None
    ticket.resident_reply_until = ticket.follow_up_due = None
    ticket.save(update_fields=["state", "round", "handle_due", "answer_due", "handling_at", "answered_at",
                               "answered_in_time", "resident_reply_until", "follow_up_due", "fixed", "satisfaction",
                               "follow_up_by", "updated_at"])
    _event(ticket, EventKind.REOPENED, actor)
    notify(handlers(ticket), f"投诉 {ticket.number} 回访未解决，已退回重办", link=f"/complaints/{ticket.pk}/",
           kind="complaint")
    _credit(ticket, "unresolved_after_follow_up", actor=actor)
    return ticket


def _credit(ticket, when, *, actor=None):
    """The preset's credit rule for `when`, once per ticket and rule (credit's source key)."""
    for rule in spec(ticket.campaign).credit:
        if rule.when == when:
            credit.record(ticket.campaign, ticket.company, rule.code, source=Source.COMPLAINT,
                          source_key=f"complaint:{ticket.number}:{when}", actor=actor,
                          evidence=f"投诉 {ticket.number}（{ticket.community.name}）")


# --- overdue: remind, then escalate ------------------------------------------------------------

def _open_step(ticket):
    """The step the ticket waits on now, and when its limit runs out."""
    step = WAITING_ON.get(ticket.state)
    return (step, getattr(ticket, f"{step}_due")) if step else (None, None)


def next_due(ticket):
    """When the step the ticket waits on runs out (None once it is closed)."""
    return _open_step(ticket)[1]


def step_table(ticket, at=None):
    """The four steps of the current round for the timeline: name, limit, when done, late."""
    at = at or timezone.now()
    rows = []
    for step, due, done in (("receive", ticket.receive_due, ticket.received_at),
                            ("handle", ticket.handle_due, ticket.handling_at),
                            ("answer", ticket.answer_due, ticket.answered_at),
                            ("follow_up", ticket.follow_up_due, ticket.followed_up_at)):
        rows.append({"name": STEP_NAMES[step], "due": due, "done": done,
                     "late": bool(due) and (done or at) > due and not (done is None and not ticket.is_open)})
    return rows


def overdue(ticket, at=None):
    step, due = _open_step(ticket)
    return bool(step and due and (at or timezone.now()) > due)


def _alert(ticket, kind, step, at):
    """A reminder or escalation for this step and round (unique: the sweep makes each once)."""
    return TicketEvent(ticket=ticket, kind=kind, step=step, round=ticket.round, at=at, public=False)


def by_next_due(queryset):
    """Open tickets first, each by when the step it waits on runs out (`next_due`), then closed ones."""
    due = Case(*[When(state=state, then=F(f"{step}_due")) for state, step in WAITING_ON.items()], default=None)
    return queryset.annotate(next_due_at=due).order_by(F("next_due_at").asc(nulls_last=True), "-filed_at")


def _current_step():
    """The step an open ticket waits on, as SQL (WAITING_ON)."""
    return Case(*[When(state=state, then=Value(step)) for state, step in WAITING_ON.items()], default=Value(""))


def _without(kind):
    """Tickets with no `kind` alert for their current step and round yet."""
    return ~Exists(TicketEvent.objects.filter(ticket=OuterRef("pk"), kind=kind, round=OuterRef("round"),
                                              step=OuterRef("current_step")))


def late(before):
    """Open tickets whose current step's limit ran out before `before`, as a filter."""
    condition = Q(pk__in=[])
    for state, step in WAITING_ON.items():
        condition |= Q(state=state, **{f"{step}_due__lt": before})
    return condition


def _least_delay(limit):
    """The shortest time a limit can last wherever it starts: a working-day limit ends at the
    end of its Nth working day after the start day, so at least N whole days later."""
    unit = {"minutes": "minutes", "hours": "hours", "work_hours": "hours", "workdays": "days", "days": "days"}
    return datetime.timedelta(**{unit[limit.unit]: limit.value})


def sweep(campaign, at=None):
    """Remind the handler (or the company) of each step past its limit, and tell the district
    of each one still undone `escalate_after` later. Returns (reminded, escalated).

    Only tickets still owed an alert are read (the database filters out those already
    reminded or escalated for their step and round, and those too recently late to escalate),
    so a sweep every few minutes over a large campaign touches only what changed. Repeated
    complaints are flagged here too (`flag_repeats`)."""
    at = at or timezone.now()
    rules = spec(campaign)
    with transaction.atomic():
        # One sweep at a time per campaign: a second one waits here, then finds nothing owed
        # (and the unique constraint on alerts would refuse a duplicate anyway).
        # NO KEY UPDATE: rows that point at the campaign (a ticket being filed) are not held up.
        Campaign.objects.select_for_update(no_key=True).filter(pk=campaign.pk).values_list("pk", flat=True).get()
        result = _sweep(campaign, rules, at)
        flag_repeats(campaign, at)
    return result


def _sweep(campaign, rules, at):
    owed = (Ticket.objects.filter(campaign=campaign).annotate(current_step=_current_step()).select_related("community")
            .only("pk", "number", "state", "round", "receive_due", "handle_due", "answer_due", "follow_up_due",
                  "company_id", "district_id", "handler_id", "community__name", "campaign_id"))
    staff, officers, messages, alerts = {}, {}, [], []
    reminded = escalated = 0
    for ticket in owed.filter(late(at), _without(EventKind.REMINDED)).iterator(chunk_size=2000):
        alerts.append(_alert(ticket, EventKind.REMINDED, ticket.current_step, at))
        reminded += 1
        key = ("handler", ticket.handler_id) if ticket.handler_id else ("company", ticket.company_id)
        if key not in staff:
            staff[key] = list(User.objects.filter(pk=ticket.handler_id)) if ticket.handler_id else list(handlers(ticket))
        messages.append((staff[key], f"投诉 {ticket.number}（{ticket.community.name}）{STEP_NAMES[ticket.current_step]}"
                                     "已超过时限，请尽快办理", f"/complaints/{ticket.pk}/"))
    escalable = owed.filter(late(at - _least_delay(rules.escalate_after)), _without(EventKind.ESCALATED))
    for ticket in escalable.iterator(chunk_size=2000):
        step, due = _open_step(ticket)
        if at < _deadline(campaign, rules, due, rules.escalate_after):
            continue
        alerts.append(_alert(ticket, EventKind.ESCALATED, step, at))
        escalated += 1
        if ticket.district_id not in officers:
            officers[ticket.district_id] = list(User.objects.filter(role=Role.DISTRICT, district_id=ticket.district_id,
                                                                    is_active=True))
        messages.append((officers[ticket.district_id], f"投诉 {ticket.number}（{ticket.community.name}）"
                         f"{STEP_NAMES[step]}超时未办，已上报本区住建局督办", f"/complaints/{ticket.pk}/"))
        if step == "answer":
            _credit(ticket, "answer_overdue")
    TicketEvent.objects.bulk_create(alerts, batch_size=2000)
    notify_each(messages, kind="complaint")
    if reminded or escalated:
        audit.record("complaints.sweep.done", after={"reminded": reminded, "escalated": escalated})
    return reminded, escalated


def escalated(queryset):
    """Open tickets whose current step (this round) was escalated to the district."""
    current = Q()
    for state, step in WAITING_ON.items():
        current |= Q(state=state, events__step=step)
    return queryset.filter(current, events__kind=EventKind.ESCALATED, events__round=F("round")).distinct()


# --- the rates (三率, with 办结率) --------------------------------------------------------------

RATE_RULES = {
    "response": ("响应率", "在接待时限内接待的件数 ÷ 期间内提交的件数"),
    "closure": ("按时办结率", "在反馈时限内反馈的件数 ÷ 期间内已到反馈时限或已反馈的件数"),
    "resolution": ("解决率", "回访答复“已解决”的件数 ÷ 已回访的件数"),
    "satisfaction": ("满意率", f"回访满意度 {SATISFIED_FROM} 分及以上的件数 ÷ 回访时评了满意度的件数"),
}


@dataclass(frozen=True)
class Rate:
    key: str
    name: str
    rule: str
    numerator: int
    denominator: int

    @property
    def value(self):
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    @property
    def percent(self):
        """"87.5%", or "—" when nothing counts yet."""
        if not self.denominator:
            return "—"
        return f"{(Fraction(self.numerator * 1000, self.denominator) + Fraction(1, 2)) // 1 / 10:.1f}%"


def rates(queryset, *, at=None):
    """The four rates over `queryset` (already restricted to a period and a company, community
    or district), with their counts and the rule that computed each."""
    at = at or timezone.now()
    figures = queryset.aggregate(
        filed=Count("pk"),
        received_in_time=Count("pk", filter=Q(received_in_time=True)),
        answer_due=Count("pk", filter=Q(answered_at__isnull=False) | Q(answer_due__lt=at)),
        answered_in_time=Count("pk", filter=Q(answered_in_time=True)),
        followed_up=Count("pk", filter=Q(fixed__isnull=False)),
        fixed=Count("pk", filter=Q(fixed=True)),
        rated=Count("pk", filter=Q(satisfaction__isnull=False)),
        satisfied=Count("pk", filter=Q(satisfaction__gte=SATISFIED_FROM)),
    )
    pairs = {"response": ("received_in_time", "filed"), "closure": ("answered_in_time", "answer_due"),
             "resolution": ("fixed", "followed_up"), "satisfaction": ("satisfied", "rated")}
    return [Rate(key, *RATE_RULES[key], figures[num], figures[den]) for key, (num, den) in pairs.items()]


def rates_by(queryset, field, *, at=None):
    """{value of `field` (company_id, district_id, community_id): [Rate…]}."""
    ids = queryset.values_list(field, flat=True).distinct()
    return {pk: rates(queryset.filter(**{field: pk}), at=at) for pk in ids}


def period(queryset, start=None, end=None):
    """Tickets filed in [start, end) (either may be open)."""
    if start:
        queryset = queryset.filter(filed_at__gte=start)
    if end:
        queryset = queryset.filter(filed_at__lt=end)
    return queryset


# --- 12345 work orders -----------------------------------------------------------------------------

HOTLINE_HEADERS = {"工单编号": "number", "受理时间": "received_at", "所在区": "district", "小区名称": "community",
                   "诉求类别": "category", "诉求内容": "description", "联系电话": "phone", "紧急程度": "urgency"}
HOTLINE_REQUIRED = ("number", "received_at", "district", "community", "description", "phone")


class UnknownCommunity(DomainError):
    """A work order names a community the registry does not have (absent: 404 when pushed)."""

    code = "not_found"


def _hotline_time(value, tz):
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        text = str(value or "").strip().replace("/", "-").replace("T", " ")
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise ValidationError("受理时间应为“年-月-日 时:分”，如 2019-10-08 09:30") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def hotline_filing(campaign, row, *, communities):
    """(Filing, work-order number, filed_at) from one work order (a dict by HOTLINE_HEADERS
    keys, from the Excel export or the JSON push), or ValidationError naming what is wrong."""
    from wenming.core.validators import clean_phone

    rules = spec(campaign)
    missing = [name for name, key in HOTLINE_HEADERS.items() if key in HOTLINE_REQUIRED and not str(row.get(key) or "").strip()]
    if missing:
        raise ValidationError(f"缺少{'、'.join(missing)}")
    number = str(row["number"]).strip()[:40]
    community = communities.get((str(row["district"]).strip(), str(row["community"]).strip()))
    if community is None:
        raise UnknownCommunity(f"名录中没有{row['district']}的小区“{row['community']}”")
    by_name = {c.name: c.key for c in rules.categories} | {c.key: c.key for c in rules.categories}
    category = by_name.get(str(row.get("category") or "").strip(), "other" if "other" in by_name else None)
    if category is None:
        raise ValidationError(f"诉求类别“{row.get('category')}”不在本活动的投诉类别中")
    levels = {u.name: u.key for u in rules.urgencies} | {u.key: u.key for u in rules.urgencies}
    urgency = levels.get(str(row.get("urgency") or "").strip(), rules.urgencies[-1].key)
    filed_at = _hotline_time(row["received_at"], campaign.tz)
    filing = Filing(community=community, category=category, urgency=urgency,
                    description=str(row["description"]).strip()[:2000], phone=clean_phone(str(row["phone"]).strip()))
    return filing, number, filed_at


def _hotline_communities(campaign):
    return {(c.district.name, c.name): c for c in Community.objects.filter(district__in=campaign.districts.all())
            .select_related("district")}


def _ensure_hotline_importer(actor):
    if not (is_office(actor) or actor.role == Role.DISTRICT):
        raise PermissionDenied("只有评选工作办公室或区住建局可以导入 12345 工单")


def import_hotline(campaign, fileobj, *, actor, max_rows=20000):
    """Import a 12345 export: all rows or none (ValidationError listing each bad row by its
    number); a work order already imported is skipped, so the same file twice adds nothing.
    A district imports only its own district's orders. Returns (created, skipped)."""
    from wenming.core.excel import UnreadableImport, read_rows

    _ensure_hotline_importer(actor)
    try:
        rows = read_rows(fileobj, max_rows=max_rows)
        _, header = next(rows, (0, []))
        columns = {HOTLINE_HEADERS[str(h).strip()]: i for i, h in enumerate(header) if str(h or "").strip() in HOTLINE_HEADERS}
        missing = [name for name, key in HOTLINE_HEADERS.items() if key in HOTLINE_REQUIRED and key not in columns]
        if missing:
            raise ValidationError(f"表头缺少：{'、'.join(missing)}（第 1 行应为 12345 工单导出表的表头）")
        communities = _hotline_communities(campaign)
        parsed, errors, seen = [], [], set()
        for number, cells in rows:
            if not any(str(c or "").strip() for c in cells):
                continue
            row = {key: cells[i] if i < len(cells) else None for key, i in columns.items()}
            try:
                filing, order, filed_at = hotline_filing(campaign, row, communities=communities)
                if actor.role == Role.DISTRICT and filing.community.district_id != actor.district_id:
                    raise ValidationError("不是本区的工单")
                if order in seen:
                    raise ValidationError(f"工单编号 {order} 在表中重复")
                seen.add(order)
                parsed.append((filing, order, filed_at))
            except ValidationError as exc:
                errors.append(f"第 {number} 行：{'；'.join(exc.messages)}")
            except UnknownCommunity as exc:
                errors.append(f"第 {number} 行：{exc}")
    except UnreadableImport as exc:
        raise ValidationError(str(exc)) from None
    if errors:
        raise ValidationError(errors[:50] + ([f"另有 {len(errors) - 50} 行有误"] if len(errors) > 50 else []))
    if not parsed and not seen:
        raise ValidationError("表中没有工单")
    existing = set(Ticket.objects.filter(hotline_number__in=seen).values_list("hotline_number", flat=True))
    created = 0
    with transaction.atomic():
        for filing, order, filed_at in parsed:
            if order in existing:
                continue
            file_ticket(campaign, filing, source="hotline", hotline_number=order, filed_at=filed_at, actor=None)
            created += 1
        audit.record("complaints.hotline.imported", actor=actor,
                     after={"created": created, "skipped": len(parsed) - created})
    return created, len(parsed) - created


def receive_hotline_order(campaign, data, *, actor):
    """One work order pushed by the hotline system (JSON): the ticket, and whether it is new
    (a repeat of the same work-order number returns the first)."""
    _ensure_hotline_importer(actor)
    filing, order, filed_at = hotline_filing(campaign, data, communities=_hotline_communities(campaign))
    if actor.role == Role.DISTRICT and filing.community.district_id != actor.district_id:
        raise PermissionDenied("不是本区的工单")
    existing = Ticket.objects.filter(hotline_number=order).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return file_ticket(campaign, filing, source="hotline", hotline_number=order, filed_at=filed_at), True
    except IntegrityError:  # the same order pushed twice at once
        return Ticket.objects.get(hotline_number=order), False


REPLY_HEADERS = ["工单编号", "办理单位", "小区", "办理状态", "接待时间", "反馈时间", "处理结果", "回访结果", "满意度", "投诉编号"]


def hotline_replies(queryset, tz):
    """Rows of the reply sheet the hotline takes back, in its own work-order numbering."""
    def moment(value):
        return timezone.localtime(value, tz).strftime("%Y-%m-%d %H:%M") if value else ""

    rows = []
    for t in queryset.filter(source="hotline").select_related("company", "community").order_by("hotline_number"):
        visit = "" if t.fixed is None else ("已解决" if t.fixed else "未解决")
        rows.append([t.hotline_number, t.company.name, t.community.name, t.get_state_display(), moment(t.received_at),
                     moment(t.answered_at), t.answer, visit, t.satisfaction or "", t.number])
    return rows


def review_panel(application, user):
    """Beside an application in review (the district's review, the office, the expert's sheet):
    the candidate community's complaints this campaign and the four rates with their counts."""
    if application.community_id is None:
        return None
    district_officer = user.role == Role.DISTRICT and user.district_id == application.district_id
    if not (user.is_superuser or user.role in (Role.OFFICE, Role.EXPERT) or district_officer):
        return None
    tickets = Ticket.objects.filter(campaign=application.campaign, community_id=application.community_id)
    figures = rates(tickets)
    late = escalated(tickets).count()
    rows = [("投诉件数", tickets.count()), ("超时上报区住建局", late)]
    rows += [(r.name, f"{r.percent}（{r.numerator}/{r.denominator}）") for r in figures]
    return {"title": "投诉办理情况", "rows": rows, "warning": bool(late)}
