"""Every state change of supervision. Checklists and timers are the campaign preset's
`checklists` and `supervision` sections; deadlines count Chinese working days (core.workdays)."""

import dataclasses
import datetime
import random
import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from wenming.campaigns import clock
from wenming.core import audit, scoping, workdays
from wenming.core.access import get_in_scope, is_office
from wenming.core.errors import Conflict, DomainError
from wenming.core.notifications import notify, resolve
from wenming.core.roles import Role
from wenming.credit import services as credit
from wenming.credit.models import Source
from wenming.registry.models import Community, District
from wenming.supervision.models import (
    OPEN_STATES,
    Evidence,
    Finding,
    Inspection,
    Interview,
    OrderEvent,
    OrderState,
    Photo,
    RectificationOrder,
    RegularSchedule,
    RepeatProblem,
    Sample,
    SampleRedraw,
    Severity,
)

SUPERVISE = clock.gate("supervise", "supervision.services.start_inspection")

EQUIPMENT_ACTION = "equipment"


class Incomplete(DomainError):
    """A submit with unanswered checklist items that was not confirmed; `missing` is
    [(item key, text)] in checklist order."""

    code = "incomplete"

    def __init__(self, missing):
        self.missing = missing
        super().__init__(f"还有 {len(missing)} 项未填写，确认后才能提交")


def spec(campaign):
    return campaign.typed_rules.supervision


def checklist(campaign):
    """{item key: {"action", "action_name", "key", "text", "measure"}} in preset order."""
    return {item.key: {"action": c.key, "action_name": c.name, **item.model_dump(mode="json")}
            for c in campaign.typed_rules.checklists for item in c.items}


def _today(campaign):
    return timezone.localdate(timezone.now(), campaign.tz)


# --- who may do what ------------------------------------------------------------------------------

def scoped(queryset: QuerySet, user, *, district_field: str = "district", company_field: str = "company") -> QuerySet:
    """Office: everything; a district officer: their district; a company: their own (the one
    rule, core.scoping, on the record's district and company foreign keys)."""
    return scoping.by_fields(queryset, user, district_field=district_field, company_field=company_field)


def visible_inspections(user, queryset=None):
    """The inspections a user may see: as `scoped`, except that a company never sees an
    unannounced inspection (暗访抽查) before it is submitted — not in lists, counts or photos."""
    queryset = scoped(Inspection.objects.all() if queryset is None else queryset, user)
    if user.role == Role.COMPANY:
        queryset = queryset.exclude(kind=Inspection.Kind.UNANNOUNCED, state=Inspection.State.DRAFT)
    return queryset


def visible_orders(user):
    return scoped(RectificationOrder.objects.select_related("community", "district", "company", "finding"), user)


# One access helper per resource: the record with this id if the user may see it, else 404 (as
# absent, so its existence does not leak). Views call these, never scope a queryset themselves.

def inspection_for(user, pk: str | int) -> Inspection:
    return get_in_scope(visible_inspections(user, Inspection.objects.select_related("community", "district",
                                                                                        "inspector")), pk)


def sample_for(user, pk: str | int) -> Sample:
    return get_in_scope(scoped(Sample.objects.all(), user), pk)


def redraw_for(user, pk: str | int) -> SampleRedraw:
    return get_in_scope(scoped(SampleRedraw.objects.all(), user, district_field="sample__district"), pk)


def order_for(user, pk: str | int) -> RectificationOrder:
    return get_in_scope(visible_orders(user), pk)


def repeat_problem_for(user, pk: str | int) -> RepeatProblem:
    return get_in_scope(scoped(RepeatProblem.objects.all(), user), pk)


def interview_for(user, pk: str | int) -> Interview:
    return get_in_scope(scoped(Interview.objects.all(), user, district_field="problem__district",
                               company_field="problem__company"), pk)


def _ensure_supervisor(actor, district_id):
    """City (office) anywhere; a district officer only in their district."""
    if is_office(actor):
        return "city"
    if actor.role == Role.DISTRICT and actor.district_id == district_id:
        return "district"
    raise PermissionDenied("只有市评选工作办公室或本区住建局可以进行此操作")


def _ensure_company(actor, company_id):
    if not (actor.role == Role.COMPANY and company_id and actor.company_id == company_id):
        raise PermissionDenied("只有负责该小区的物业服务企业可以进行此操作")


# --- unannounced samples ---------------------------------------------------------------------------

def draw(population, size, seed):
    """The reproducible draw: `size` ids from the sorted population, by Python's Mersenne
    Twister seeded with the recorded seed string."""
    population = sorted(population)
    return sorted(random.Random(seed).sample(population, min(size, len(population))))


def remaining(sample):
    """The sampled community ids not yet inspected from this sample, in drawn order."""
    done = set(sample.inspections.values_list("community_id", flat=True))
    return [pk for pk in sample.community_ids if pk not in done]


def open_sample(district):
    """The district's current sample that still has communities to inspect, or None."""
    for sample in Sample.objects.filter(district=district, superseded_by__isnull=True):
        if remaining(sample):
            return sample
    return None


def _new_sample(campaign, district, actor, size=None, seed=None):
    """`seed` is for the demo only (its story needs a known draw); pages never pass one."""
    population = sorted(Community.objects.filter(district=district).values_list("pk", flat=True))
    if not population:
        raise ValidationError("该区名录中没有小区，无法抽取")
    size = size or spec(campaign).sample_per_district
    seed = seed or secrets.token_hex(16)
    sample = Sample.objects.create(district=district, seed=seed, size=size, population=population,
                                   community_ids=draw(population, size, seed), drawn_by=actor)
    audit.record("supervision.sample.drawn", actor=actor, target=sample,
                 after={"district": district.name, "seed": seed, "size": size, "communities": sample.community_ids})
    return sample


@transaction.atomic
def draw_sample(campaign, district, actor, *, size=None):
    """A new sample, recorded with its seed. While the district's sample still has communities
    to inspect, drawing again is a redraw (`request_redraw`), never a plain draw."""
    _ensure_supervisor(actor, district.pk)
    list(District.objects.select_for_update().filter(pk=district.pk))
    if open_sample(district) is not None:
        raise Conflict("本区当前抽样尚有未检查的小区；重新抽样须说明理由，并经本区另一名工作人员同意")
    return _new_sample(campaign, district, actor, size)


@transaction.atomic
def request_redraw(campaign, sample, actor, *, reason):
    """Ask to replace a sample that still has communities to inspect; nothing is drawn yet."""
    _ensure_supervisor(actor, sample.district_id)
    sample = Sample.objects.select_for_update().get(pk=sample.pk)
    if not sample.current:
        raise Conflict("该抽样已被重新抽样替换")
    if not remaining(sample):
        raise Conflict("该抽样的小区均已检查，可直接重新抽取")
    if not reason.strip():
        raise ValidationError({"reason": ["请填写重新抽样的理由"]})
    if sample.redraws.filter(state=SampleRedraw.State.PENDING).exists():
        raise Conflict("该抽样已有待审批的重新抽样申请")
    redraw = SampleRedraw.objects.create(sample=sample, reason=reason.strip(), requested_by=actor)
    audit.record("supervision.redraw.requested", actor=actor, target=redraw, reason=redraw.reason,
                 after={"sample": sample.pk, "district": sample.district.name})
    transaction.on_commit(lambda: notify(
        [u for u in _district_users(sample.district_id) if u.pk != actor.pk],
        f"{sample.district.name}暗访抽样的重新抽样申请待您审批", "/supervision/samples/",
        key=f"supervision.redraw.{redraw.pk}"))
    return redraw


@transaction.atomic
def decide_redraw(campaign, redraw, actor, *, approve):
    """A second district officer of the sample's district approves (the new draw is made now
    and replaces the old sample) or refuses. The requester cannot decide their own request."""
    redraw = SampleRedraw.objects.select_for_update().select_related("sample__district").get(pk=redraw.pk)
    sample = redraw.sample
    if not (actor.role == Role.DISTRICT and actor.district_id == sample.district_id):
        raise PermissionDenied("只有本区住建局的另一名工作人员可以审批重新抽样")
    if actor.pk == redraw.requested_by_id:
        raise Conflict("重新抽样须由申请人以外的本区工作人员审批")
    if redraw.state != SampleRedraw.State.PENDING:
        raise Conflict("该申请已审批")
    redraw.decided_by, redraw.decided_at = actor, timezone.now()
    if approve:
        if not sample.current:
            raise Conflict("该抽样已被重新抽样替换")
        new = _new_sample(campaign, sample.district, actor, sample.size)  # drawn by the approver's decision
        Sample.objects.filter(pk=sample.pk).update(superseded_by=new)
        redraw.state, redraw.new_sample = SampleRedraw.State.APPROVED, new
    else:
        redraw.state = SampleRedraw.State.REFUSED
    redraw.save(update_fields=["state", "decided_by", "decided_at", "new_sample"])
    audit.record("supervision.redraw.decided", actor=actor, target=redraw, reason=redraw.reason,
                 after={"state": redraw.state, "new_sample": redraw.new_sample_id})
    resolve(f"supervision.redraw.{redraw.pk}")
    return redraw


def verify_sample(sample):
    return draw(sample.population, sample.size, sample.seed) == sample.community_ids


# --- inspections ----------------------------------------------------------------------------------

@transaction.atomic
def start_inspection(campaign, actor, community, kind, *, sample=None):
    if kind == Inspection.Kind.SELF:
        _ensure_company(actor, community.company_id)
        level = "company"
    elif kind in (Inspection.Kind.REGULAR, Inspection.Kind.UNANNOUNCED):
        level = _ensure_supervisor(actor, community.district_id)
        if kind == Inspection.Kind.UNANNOUNCED:
            if sample is None or community.pk not in sample.community_ids:
                raise ValidationError("暗访抽查的小区须来自本区的随机抽样")
            if not sample.current:
                raise Conflict("该抽样已被重新抽样替换，请使用新的抽样")
            if community.pk not in remaining(sample):
                raise Conflict(f"{community.name} 已按该抽样检查过")
    else:
        raise ValidationError("检查类型不正确")
    clock.require_open(campaign, SUPERVISE)
    inspection = Inspection.objects.create(kind=kind, level=level, community=community, district=community.district,
                                           company=community.company, sample=sample, inspector=actor)
    audit.record("supervision.inspection.started", actor=actor, target=inspection,
                 after={"kind": kind, "community": community.name})
    return inspection


# Measured items the platform knows better than an inspector's eye: read, never typed. Their
# readings come from apps above supervision (SV0, 小区问卷入户率, is the survey's coverage), so
# the project composes them: settings' SUPERVISION_READINGS, {item key: dotted path to a
# callable (campaign, community) -> value}.
def is_read(item_key):
    """Whether the platform reads this checklist item (the inspector does not type it)."""
    return item_key in settings.SUPERVISION_READINGS


def reading(campaign, item_key, community):
    """The value a read item takes for the community now, or None for a typed item."""
    path = settings.SUPERVISION_READINGS.get(item_key)
    return import_string(path)(campaign, community) if path else None


def _judge(item, value):
    """(passed, value) for a measured item; the threshold decides."""
    if value in (None, ""):
        raise ValidationError(f"“{item['text']}”须填写实测值（{item['measure']['unit']}）")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError("实测值须为数字") from None
    if not number.is_finite() or number < 0 or number > Decimal("999999.99"):
        raise ValidationError("实测值超出范围")
    number = number.quantize(Decimal("0.01"))
    low, high = item["measure"].get("min"), item["measure"].get("max")
    passed = (low is None or number >= Decimal(str(low))) and (high is None or number <= Decimal(str(high)))
    return passed, number


def _responsible(campaign, community, action, at):
    """Equipment: the developer within the warranty period after completion, the maintenance
    fund outside it (seed 四(一)3); everything else is the company's."""
    if action != EQUIPMENT_ACTION:
        return Finding.Responsible.COMPANY
    years = spec(campaign).equipment_warranty_years
    if community.completed_on is None:
        return Finding.Responsible.FUND
    try:
        end = community.completed_on.replace(year=community.completed_on.year + years)
    except ValueError:  # 29 February
        end = community.completed_on.replace(year=community.completed_on.year + years, day=28)
    return Finding.Responsible.DEVELOPER if at < end else Finding.Responsible.FUND


@transaction.atomic
def save_finding(campaign, inspection, actor, item_key, *, passed=None, value=None, severity="", note="",
                 location="", photos=()):
    """Record (or correct) one item of a draft inspection; photos are already cleaned images."""
    if inspection.inspector_id != actor.pk:
        raise PermissionDenied("只有本次检查的检查人可以填写")
    if inspection.state != Inspection.State.DRAFT:
        raise Conflict("检查已提交，不能再修改")
    item = checklist(campaign).get(item_key)
    if item is None:
        raise ValidationError("检查项不存在")
    if item.get("measure"):
        if is_read(item_key):  # read from the platform, whatever was sent
            value = reading(campaign, item_key, inspection.community)
        passed, value = _judge(item, value)
    elif passed is None:
        raise ValidationError(f"请选择“{item['text']}”是否合格")
    else:
        value = None
    if not passed:
        severity = severity or Severity.MINOR
        if severity not in Severity.values:
            raise ValidationError("严重程度不正确")
        if not note.strip() and not item.get("measure"):
            raise ValidationError("不合格项须填写问题描述")
    finding, _ = Finding.objects.update_or_create(
        inspection=inspection, item=item_key,
        defaults={"action": item["action"], "passed": passed, "value": value, "severity": "" if passed else severity,
                  "note": note.strip(), "location": location.strip(),
                  "responsible": _responsible(campaign, inspection.community, item["action"], _today(campaign))})
    for photo in photos:
        Photo.objects.create(finding=finding, image=photo)
    audit.record("supervision.finding.saved", actor=actor, target=finding,
                 after={"item": item_key, "passed": passed, "value": str(value) if value is not None else None,
                        "severity": finding.severity})
    return finding


@transaction.atomic
def save_findings(campaign, inspection, actor, entries):
    """Save several items at once ({item key: save_finding's keywords, photos included}):
    all or nothing. Every item's error is named (ValidationError keyed by item) before any
    photo is stored."""
    errors, saved = {}, {}
    for key, entry in entries.items():
        try:
            with transaction.atomic():
                saved[key] = save_finding(campaign, inspection, actor, key, **{**entry, "photos": ()})
        except ValidationError as exc:
            errors[key] = exc.messages
    if errors:
        raise ValidationError(errors)
    for key, entry in entries.items():
        for photo in entry.get("photos") or ():
            Photo.objects.create(finding=saved[key], image=photo)
    return list(saved.values())


def unanswered(campaign, inspection):
    """[(item key, text)] of the checklist items this inspection has no finding for."""
    done = set(inspection.findings.values_list("item", flat=True))
    return [(key, item["text"]) for key, item in checklist(campaign).items() if key not in done]


def order_key(order, step):
    """Names the work a notification about the order asks for (it clears once that is done)."""
    return f"supervision.order.{order.pk}.{step}"


def _company_users(company_id):
    from wenming.core.models import User

    return User.objects.filter(role=Role.COMPANY, company_id=company_id, is_active=True)


def _district_users(district_id):
    from wenming.core.models import User

    return User.objects.filter(role=Role.DISTRICT, district_id=district_id, is_active=True)


@transaction.atomic
def submit_inspection(campaign, inspection, actor, *, confirm_incomplete=False):
    """Freeze the inspection. A district or city inspection issues an order per failed item,
    and flags a repeat where the same community failed the same item within the set days.
    With items unanswered it is refused (Incomplete, naming them) unless `confirm_incomplete`:
    an inspection of 2 items out of 20 is never submitted without a word."""
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.inspector_id != actor.pk:
        raise PermissionDenied("只有本次检查的检查人可以提交")
    if inspection.state != Inspection.State.DRAFT:
        raise Conflict("检查已提交")
    findings = list(inspection.findings.all())
    if not findings:
        raise ValidationError("请至少填写一个检查项")
    missing = unanswered(campaign, inspection)
    if missing and not confirm_incomplete:
        raise Incomplete(missing)
    now = timezone.now()
    inspection.state, inspection.submitted_at = Inspection.State.SUBMITTED, now
    inspection.save(update_fields=["state", "submitted_at"])
    audit.record("supervision.inspection.submitted", actor=actor, target=inspection,
                 after={"findings": len(findings), "failed": sum(not f.passed for f in findings),
                        "unanswered": len(missing)})
    if inspection.kind == Inspection.Kind.SELF:
        return inspection
    rules = spec(campaign)
    today = _today(campaign)
    window = now - datetime.timedelta(days=rules.repeat_within_days)
    for finding in (f for f in findings if not f.passed):
        count = rules.rectify_workdays[finding.severity]
        order = RectificationOrder.objects.create(finding=finding, community=inspection.community, district=inspection.district,
                                     company=inspection.company, issued_by=actor, workdays=count,
                                     deadline=workdays.add_workdays(today, count),
                                     holidays_covered=workdays.covered(today.year))
        OrderEvent.objects.create(order=order, to_state=OrderState.ISSUED, actor=actor)
        audit.record("supervision.order.issued", actor=actor, target=order,
                     after={"item": finding.item, "deadline": order.deadline.isoformat()})
        earlier = (Finding.objects.filter(inspection__community=inspection.community, item=finding.item, passed=False,
                                          inspection__state=Inspection.State.SUBMITTED,
                                          inspection__submitted_at__gte=window)
                   .exclude(inspection__kind=Inspection.Kind.SELF).exclude(pk=finding.pk)
                   .order_by("-inspection__submitted_at").first())
        if earlier is not None:
            problem = RepeatProblem.objects.create(community=inspection.community, district=inspection.district,
                                                   company=inspection.company, item=finding.item, first=earlier,
                                                   repeat=finding)
            audit.record("supervision.repeat.flagged", actor=actor, target=problem,
                         after={"community": inspection.community.name, "item": finding.item})
            if inspection.company:
                item = checklist(campaign).get(finding.item, {}).get("text", "检查项")
                credit.record(campaign, inspection.company, "INSPECTION_REPEAT_PROBLEM", source=Source.INSPECTION,
                              source_key=f"repeat:{problem.pk}", actor=actor,
                              evidence=f"{inspection.community.name}「{item}」于 {window.date()} 后再次不合格")
    if inspection.company_id:
        failed = sum(not f.passed for f in findings)
        if failed:
            users = _company_users(inspection.company_id)
            transaction.on_commit(lambda: notify(users, f"{inspection.community.name} 收到 {failed} 份整改通知",
                                                 "/supervision/orders/", kind="order_issued"))
    return inspection


# --- rectification orders --------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Transition:
    """One move of a rectification order: from which states, to which, who may make it
    (`company`: the order's company; `supervisor`: the city or the order's district; None: the
    daily sweep), the verb its refusal names and the audit action it writes."""

    verb: str
    sources: tuple[OrderState, ...]
    target: OrderState
    who: str | None
    audit: str = "supervision.order.state"


# The order's whole life, read by every state change below (and by the sweep).
TRANSITIONS: dict[str, Transition] = {
    "start": Transition("开始整改", (OrderState.ISSUED,), OrderState.RECTIFYING, "company"),
    "submit": Transition("提交整改材料", (OrderState.RECTIFYING, OrderState.OVERDUE), OrderState.EVIDENCE_SUBMITTED,
                         "company"),
    "pass": Transition("复查", (OrderState.EVIDENCE_SUBMITTED,), OrderState.REINSPECTED, "supervisor"),
    "fail": Transition("复查", (OrderState.EVIDENCE_SUBMITTED,), OrderState.RECTIFYING, "supervisor"),
    "close": Transition("销号", (OrderState.REINSPECTED,), OrderState.CLOSED, "supervisor"),
    "overdue": Transition("逾期", (OrderState.ISSUED, OrderState.RECTIFYING), OrderState.OVERDUE, None),
}


def _may(order: RectificationOrder, action: str, actor) -> Transition:
    """The transition `action` of the locked order, once the actor's right (403) and the order's
    state (409) allow it."""
    transition = TRANSITIONS[action]
    if transition.who == "company":
        _ensure_company(actor, order.company_id)
    elif transition.who == "supervisor":
        _ensure_supervisor(actor, order.district_id)
    if order.state not in transition.sources:
        states = "、".join(OrderState(s).label for s in transition.sources)
        raise Conflict(f"整改通知当前为“{order.get_state_display()}”，只有“{states}”时才能{transition.verb}")
    return transition


def _move(order: RectificationOrder, transition: Transition, actor, note: str = "") -> None:
    """Record the move (its event and audit entry) and set the state; the caller saves."""
    OrderEvent.objects.create(order=order, from_state=order.state, to_state=transition.target, actor=actor, note=note)
    audit.record(transition.audit, actor=actor, target=order, before={"state": order.state},
                 after={"state": transition.target}, reason=note)
    order.state = transition.target


def _lock(order):
    return RectificationOrder.objects.select_for_update(of=("self",)).select_related("finding__inspection").get(pk=order.pk)


@transaction.atomic
def start_rectifying(order: RectificationOrder, actor) -> RectificationOrder:
    order = _lock(order)
    _move(order, _may(order, "start", actor), actor)
    order.save(update_fields=["state"])
    return order


@transaction.atomic
def save_evidence(order, actor, *, text, photos=()):
    """A new evidence version (every version is kept). Allowed while rectifying or overdue;
    once submitted, the evidence is frozen (PermissionDenied: 403)."""
    order = _lock(order)
    _ensure_company(actor, order.company_id)
    if order.state not in (OrderState.RECTIFYING, OrderState.OVERDUE):
        if order.state == OrderState.ISSUED:
            raise Conflict("请先确认开始整改")
        raise PermissionDenied("整改材料已提交，不能再修改")
    if not text.strip():
        raise ValidationError("请填写整改情况")
    last = order.evidence.order_by("-version").first()
    evidence = Evidence.objects.create(order=order, version=(last.version + 1) if last else 1, text=text.strip(),
                                       author=actor)
    for photo in photos:
        Photo.objects.create(evidence=evidence, image=photo)
    audit.record("supervision.evidence.saved", actor=actor, target=evidence, after={"version": evidence.version})
    return evidence


@transaction.atomic
def submit_evidence(order: RectificationOrder, actor) -> RectificationOrder:
    order = _lock(order)
    transition = _may(order, "submit", actor)
    latest = order.evidence.order_by("-version").first()
    if latest is None or latest.submitted_at is not None:
        raise ValidationError("请先填写整改情况并上传照片")
    latest.submitted_at = timezone.now()
    latest.save(update_fields=["submitted_at"])
    _move(order, transition, actor, f"第 {latest.version} 版")
    order.save(update_fields=["state"])
    # The company's due reminder and the district's 督办 of an overdue order are answered now.
    resolve(order_key(order, "due"))
    resolve(order_key(order, "overdue"))
    transaction.on_commit(lambda: notify(_district_users(order.district_id),
                                         f"{order.community.name} 已提交整改材料，请复查", f"/supervision/orders/{order.pk}/",
                                         kind="order_evidence", key=order_key(order, "reinspect")))
    return order


@transaction.atomic
def reinspect(order: RectificationOrder, actor, *, passed: bool, note: str = "") -> RectificationOrder:
    order = _lock(order)
    transition = _may(order, "pass" if passed else "fail", actor)
    if not passed and not note.strip():
        raise ValidationError("复查不合格须说明原因")
    _move(order, transition, actor, note or ("复查合格" if passed else ""))
    order.save(update_fields=["state"])
    resolve(order_key(order, "reinspect"))
    return order


@transaction.atomic
def close_order(order: RectificationOrder, actor) -> RectificationOrder:
    order = _lock(order)
    _move(order, _may(order, "close", actor), actor)
    order.closed_at = timezone.now()
    order.save(update_fields=["state", "closed_at"])
    RepeatProblem.objects.filter(repeat=order.finding, closed_at__isnull=True).update(closed_at=order.closed_at)
    return order


@transaction.atomic
def set_fund_state(order, actor, fund_state):
    order = _lock(order)
    _ensure_supervisor(actor, order.district_id)
    if order.finding.responsible != Finding.Responsible.FUND:
        raise Conflict("该问题不属于维修资金使用范围")
    if fund_state not in RectificationOrder.Fund.values or not fund_state:
        raise ValidationError("维修资金申请状态不正确")
    before = order.fund_state
    order.fund_state = fund_state
    order.save(update_fields=["fund_state"])
    audit.record("supervision.order.fund", actor=actor, target=order, before={"fund_state": before},
                 after={"fund_state": fund_state})
    return order


def sweep(campaign, now: datetime.datetime | None = None) -> tuple[int, int]:
    """Reminders before deadlines and overdue orders (escalated to the district). Run daily
    (`wenming supervision sweep`); safe to run again: each order is reminded and escalated once."""
    now = now or timezone.now()
    today = timezone.localdate(now, campaign.tz)
    remind = spec(campaign).remind_before_workdays
    reminded = overdue = 0
    for order in RectificationOrder.objects.filter(state__in=[OrderState.ISSUED, OrderState.RECTIFYING], reminded_at__isnull=True,
                                      deadline__gte=today).select_related("community"):
        if workdays.workdays_between(today, order.deadline) <= remind:
            with transaction.atomic():
                # The claim is conditional: of two sweeps at once, only the one whose update
                # still finds the order unreminded sends the reminder.
                claimed = RectificationOrder.objects.filter(pk=order.pk, reminded_at__isnull=True).update(
                    reminded_at=now)
                if not claimed:
                    continue
                notify(_company_users(order.company_id), f"{order.community.name} 的整改通知将于 {order.deadline} 到期",
                       f"/supervision/orders/{order.pk}/", kind="order_due", key=order_key(order, "due"))
            reminded += 1
    overdue_move = TRANSITIONS["overdue"]
    for order in RectificationOrder.objects.filter(state__in=overdue_move.sources, deadline__lt=today):
        with transaction.atomic():
            order = _lock(order)
            if order.state not in overdue_move.sources:
                continue
            _move(order, overdue_move, None, f"超过整改期限 {order.deadline}")
            order.escalated_at = now
            order.save(update_fields=["state", "escalated_at"])
            notify(_district_users(order.district_id), f"{order.community.name} 整改逾期，请督办",
                   f"/supervision/orders/{order.pk}/", kind="order_overdue", key=order_key(order, "overdue"))
        overdue += 1
    return reminded, overdue


# --- repeat problems and interviews ---------------------------------------------------------------

@transaction.atomic
def record_interview(campaign, problem, actor, *, held_at, attendees, requirements, deadline=None, place=""):
    _ensure_supervisor(actor, problem.district_id)
    if problem.closed_at:
        raise Conflict("该问题已整改销号")
    if not attendees.strip() or not requirements.strip():
        raise ValidationError("请填写参加人员和整改要求")
    day = timezone.localdate(held_at, campaign.tz)
    deadline = deadline or workdays.add_workdays(day, spec(campaign).interview_rectify_workdays)
    if deadline <= day:
        raise ValidationError("整改期限须晚于约谈日期")
    interview = Interview.objects.create(problem=problem, held_at=held_at, place=place.strip(), attendees=attendees.strip(),
                                         requirements=requirements.strip(), deadline=deadline, recorded_by=actor)
    audit.record("supervision.interview.recorded", actor=actor, target=interview,
                 after={"community": problem.community.name, "deadline": deadline.isoformat()})
    if problem.company_id:
        when = timezone.localtime(held_at, campaign.tz)
        notify(_company_users(problem.company_id),
               f"{problem.community.name} 反复出现问题，约谈定于 {when:%Y-%m-%d %H:%M}"
               + (f"（{interview.place}）" if interview.place else "") + f"，整改期限 {deadline}",
               "/supervision/", kind="interview_scheduled")
    return interview


@transaction.atomic
def conclude_interview(campaign, interview, actor, *, rectified, note=""):
    """After the deadline: rectified closes the problem; not rectified adds the negative
    credit record (once per interview)."""
    interview = Interview.objects.select_for_update(of=("self",)).select_related("problem__company").get(pk=interview.pk)
    problem = interview.problem
    _ensure_supervisor(actor, problem.district_id)
    if interview.state != Interview.State.OPEN:
        raise Conflict("该约谈已有结论")
    if not rectified and _today(campaign) <= interview.deadline:
        raise Conflict(f"整改期限（{interview.deadline}）未到，不能认定未整改")
    interview.state = Interview.State.RECTIFIED if rectified else Interview.State.NOT_RECTIFIED
    interview.concluded_at = timezone.now()
    interview.save(update_fields=["state", "concluded_at"])
    audit.record("supervision.interview.concluded", actor=actor, target=interview, after={"state": interview.state},
                 reason=note)
    if rectified:
        RepeatProblem.objects.filter(pk=problem.pk, closed_at__isnull=True).update(closed_at=interview.concluded_at)
    elif problem.company:
        credit.record(campaign, problem.company, "INTERVIEW_NOT_RECTIFIED", source=Source.INTERVIEW,
                      source_key=f"interview:{interview.pk}", actor=actor,
                      evidence=f"{problem.community.name} 约谈后逾期（{interview.deadline}）仍未整改：{note}".strip("："))
    return interview


# --- records for other pages ----------------------------------------------------------------------

def community_record(community, today):
    orders = RectificationOrder.objects.filter(community=community)
    return {
        "open": orders.filter(state__in=OPEN_STATES).count(),
        "overdue": orders.filter(Q(state=OrderState.OVERDUE) | Q(state__in=[OrderState.ISSUED, OrderState.RECTIFYING],
                                                                 deadline__lt=today)).count(),
        "repeats": RepeatProblem.objects.filter(community=community, closed_at__isnull=True).count(),
        "interviews": Interview.objects.filter(problem__community=community).count(),
    }


def review_panel(application, user):
    """Awards' review panel: the candidate community's supervision record and company grade."""
    if application.community_id is None or (user.role not in (Role.OFFICE, Role.EXPERT) and not user.is_superuser):
        return None
    campaign = application.campaign
    record = community_record(application.community, _today(campaign))
    rows = [("未销号整改通知", record["open"]), ("逾期整改", record["overdue"]),
            ("反复出现问题", record["repeats"]), ("约谈次数", record["interviews"])]
    if application.company_id:
        standing = credit.standing(campaign, application.company)
        rows.append(("企业信用", f"{standing.grade}（{standing.score} 分）"))
    return {"title": "督查与信用记录", "rows": rows,
            "warning": bool(record["overdue"] or record["repeats"])}


def dashboard(user, campaign):
    """Counts for a district's or company's supervision dashboard (office: the whole city)."""
    today = _today(campaign)
    inspections = visible_inspections(user, Inspection.objects.filter(state=Inspection.State.SUBMITTED))
    orders = scoped(RectificationOrder.objects.all(), user)
    findings = scoped(Finding.objects.filter(passed=False, inspection__state=Inspection.State.SUBMITTED), user,
                      district_field="inspection__district", company_field="inspection__company")
    names = {c.key: c.name for c in campaign.typed_rules.checklists}
    by_action = {names.get(r["action"], r["action"]): r["n"] for r in findings.values("action").annotate(n=Count("id"))}
    return {
        "inspections": inspections.count(),
        "unannounced": inspections.filter(kind=Inspection.Kind.UNANNOUNCED).count(),
        "self": inspections.filter(kind=Inspection.Kind.SELF).count(),
        "findings_by_action": by_action,
        "open_orders": orders.filter(state__in=OPEN_STATES).count(),
        "overdue_orders": orders.filter(Q(state=OrderState.OVERDUE) | Q(
            state__in=[OrderState.ISSUED, OrderState.RECTIFYING], deadline__lt=today)).count(),
        "repeat_communities": scoped(RepeatProblem.objects.filter(closed_at__isnull=True), user)
        .values("community").distinct().count(),
        "interviews": scoped(Interview.objects.all(), user, district_field="problem__district",
                             company_field="problem__company").count(),
    }


# --- regular inspections (定期督查) schedule -------------------------------------------------------

DUE_SOON_DAYS = 7


def _supervision_opens(campaign):
    try:
        return timezone.localdate(clock.window(campaign, SUPERVISE)[1], campaign.tz)
    except KeyError:
        return _today(campaign)


def schedule_of(campaign, district):
    """The district's saved schedule, or an unsaved one with the preset's interval counted from
    the opening of supervision."""
    saved = RegularSchedule.objects.filter(district=district).first()
    if saved is not None:
        return saved
    return RegularSchedule(district=district, every_weeks=spec(campaign).regular_every_weeks,
                           starts_on=_supervision_opens(campaign))


@transaction.atomic
def set_schedule(campaign, district, actor, *, every_weeks, starts_on=None):
    _ensure_supervisor(actor, district.pk)
    if not 1 <= int(every_weeks) <= 52:
        raise ValidationError({"every_weeks": ["间隔须为 1 至 52 周"]})
    saved = RegularSchedule.objects.select_for_update().filter(district=district).first()
    before = {"every_weeks": saved.every_weeks, "starts_on": saved.starts_on.isoformat()} if saved else None
    starts_on = starts_on or (saved.starts_on if saved else _supervision_opens(campaign))
    schedule, _ = RegularSchedule.objects.update_or_create(
        district=district, defaults={"every_weeks": every_weeks, "starts_on": starts_on, "set_by": actor})
    audit.record("supervision.schedule.set", actor=actor, target=schedule, before=before,
                 after={"district": district.name, "every_weeks": every_weeks, "starts_on": starts_on.isoformat()})
    return schedule


def schedule_rows(campaign, district, today=None):
    """Per community of the district: the last submitted regular inspection, the next due date
    (one interval after it, or after the schedule's start for a community never inspected) and
    its status ("overdue" past the date, "due" within DUE_SOON_DAYS, else "ok")."""
    today = today or _today(campaign)
    schedule = schedule_of(campaign, district)
    last = {}
    for community_id, at in (Inspection.objects.filter(district=district, kind=Inspection.Kind.REGULAR,
                                                       state=Inspection.State.SUBMITTED)
                             .values_list("community_id", "submitted_at").order_by("submitted_at")):
        last[community_id] = timezone.localdate(at, campaign.tz)
    rows = []
    for community in Community.objects.filter(district=district).order_by("name", "pk"):
        done = last.get(community.pk)
        due_on = (done or schedule.starts_on) + datetime.timedelta(weeks=schedule.every_weeks)
        status = ("overdue" if due_on < today else
                  "due" if (due_on - today).days <= DUE_SOON_DAYS else "ok")
        rows.append({"community": community, "last": done, "due_on": due_on, "status": status,
                     "label": {"overdue": "已逾期", "due": "即将到期", "ok": "按期"}[status],
                     "days": (today - due_on).days})
    order = {"overdue": 0, "due": 1, "ok": 2}
    rows.sort(key=lambda r: (order[r["status"]], r["due_on"]))
    return schedule, rows


def schedule_counts(campaign, user, today=None):
    """(overdue, due) communities over the districts the user supervises."""
    if is_office(user):
        districts = District.objects.all()
    elif user.role == Role.DISTRICT:
        districts = District.objects.filter(pk=user.district_id)
    else:
        return 0, 0
    overdue = due = 0
    for district in districts:
        for row in schedule_rows(campaign, district, today)[1]:
            overdue += row["status"] == "overdue"
            due += row["status"] == "due"
    return overdue, due
