"""Every state change of the survey, and the figures derived from the responses.

The questionnaire, the satisfaction scale and the points formula are the preset's `survey`
section. A household is building-unit-room; no name or phone is asked. Coverage per community
= households with a response ÷ occupied households (target from the preset, the notice's 60%)."""

import datetime
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q
from django.utils import timezone

from wenming.campaigns import clock
from wenming.core import audit, notifications
from wenming.core.access import is_office
from wenming.core.errors import Conflict
from wenming.core.excel import UnreadableImport, read_rows
from wenming.core.models import User
from wenming.core.roles import Role
from wenming.registry.households import household_key, parse_household
from wenming.registry.models import Community, Household
from wenming.surveys.models import Assignment, Response

CLOCK_SKEW = datetime.timedelta(minutes=5)
SURVEY = clock.gate("survey", "surveys.services.record_response")


class DuplicateHousehold(Conflict):
    """The household already has a response this round (the page shows it at the household)."""


class PhoneAnswered(Conflict):
    """The resident's phone has answered for another household this round (shown at the household)."""


class UnknownHousehold(ValidationError):
    """The household is not in the community's register, or is registered as vacant (shown at the household)."""


def spec(campaign):
    return campaign.rules["survey"]


# --- the household register (住户登记) ------------------------------------------------------------

def can_manage_register(user, community):
    return is_office(user) or (user.role == Role.DISTRICT and community.district_id == user.district_id)


def _replace_register(community, actor, rows, action, summary):
    """Replace the community's register with rows [(building, unit, room, key, occupied)] and
    count its households from it; a household that already has a response must stay."""
    if not can_manage_register(actor, community):
        raise PermissionDenied("只有评选工作办公室或本区住建局可以维护住户登记")
    if not rows:
        raise ValidationError("住户登记中没有住户")
    keys = {r[3] for r in rows}
    answered = sorted(set(Response.objects.filter(community=community).exclude(household__in=keys)
                          .values_list("household", flat=True)))
    if answered:
        raise Conflict(f"{answered[0]} 等 {len(answered)} 户已有问卷，不能从登记中删除")
    before = {"households": community.total_households, "occupied": community.occupied_households}
    Household.objects.filter(community=community).delete()
    Household.objects.bulk_create([Household(community=community, building=b, unit=u, room=r, key=k, occupied=o)
                                   for b, u, r, k, o in rows], batch_size=1000)
    community.total_households = len(rows)
    community.occupied_households = sum(1 for r in rows if r[4])
    community.save(update_fields=["total_households", "occupied_households", "updated_at"])
    audit.record(action, actor=actor, target=community, before=before,
                 after={"households": community.total_households, "occupied": community.occupied_households,
                        **summary})
    return community.total_households, community.occupied_households


MAX_REGISTER = 20000


@transaction.atomic
def generate_register(community, actor, *, buildings, units, floors, per_floor, vacant=(), limit=None):
    """The register from a numbering scheme: buildings 1..N, units 1..M, floors 1..F and
    `per_floor` rooms a floor, numbered floor + two digits ("1801", "1802"). `vacant`: keys
    of households registered as vacant; `limit`: only the first so many households (the last
    building partly built). Returns (households, occupied)."""
    wrong = {name: f"{label}须为 1 至 99 的整数" for name, label, n in (
        ("buildings", "楼栋数", buildings), ("units", "单元数", units), ("floors", "楼层数", floors),
        ("per_floor", "每层户数", per_floor)) if not isinstance(n, int) or not 1 <= n <= 99}
    if wrong:
        raise ValidationError(wrong)
    if buildings * units * floors * per_floor > MAX_REGISTER:
        raise ValidationError(f"户数超过 {MAX_REGISTER}，请分批导入")
    vacant = set(vacant)
    rows = []
    for b in range(1, buildings + 1):
        for u in range(1, units + 1):
            for f in range(1, floors + 1):
                for r in range(1, per_floor + 1):
                    room = f"{f}{r:02d}"
                    key = household_key(b, u, room)
                    rows.append((str(b), str(u), room, key, key not in vacant))
    if limit is not None:
        rows = rows[:limit]
    return _replace_register(community, actor, rows, "surveys.register.generated",
                             {"scheme": f"{buildings}栋×{units}单元×{floors}层×{per_floor}户"})


OCCUPIED_WORDS = {"": True, "是": True, "已入住": True, "入住": True, "Y": True, "1": True,
                  "否": False, "空置": False, "未入住": False, "N": False, "0": False}


@transaction.atomic
def import_register(community, actor, fileobj):
    """The register from Excel: header 楼栋、单元、室号[、是否入住] (or one column 户号 then
    是否入住). Every row is checked first; any bad row → ValidationError listing each bad row
    ("第 5 行：…"), nothing stored. Returns (households, occupied)."""
    if not can_manage_register(actor, community):
        raise PermissionDenied("只有评选工作办公室或本区住建局可以维护住户登记")
    try:
        rows = list(read_rows(fileobj))
    except UnreadableImport as exc:
        raise ValidationError(str(exc)) from None
    if len(rows) < 2:
        raise ValidationError("文件中没有住户数据")
    header = [str(h or "").strip() for h in rows[0][1]]
    single = header[:1] == ["户号"]
    if not single and header[:3] != ["楼栋", "单元", "室号"]:
        raise ValidationError("表头须为：楼栋、单元、室号、是否入住（或：户号、是否入住）")
    occupied_column = 1 if single else 3
    errors, seen, out = [], {}, []
    for number, cells in rows[1:]:
        cells = list(cells) + [None] * 4
        if not any(c not in (None, "") for c in cells):
            continue
        try:
            parts = parse_household(cells[0]) if single else (cells[0], cells[1], cells[2])
            key = household_key(*parts)
            word = unicodedata.normalize("NFKC", str(cells[occupied_column] or "")).strip().upper()
            if word not in OCCUPIED_WORDS:
                raise ValidationError("是否入住须填“是”或“否”")
            if key in seen:
                raise ValidationError(f"与第 {seen[key]} 行是同一户（{key}）")
        except ValidationError as exc:
            errors.append(f"第 {number} 行：{'；'.join(exc.messages)}")
            continue
        seen[key] = number
        b, u, r = key.split("-")
        out.append((b, u, r, key, OCCUPIED_WORDS[word]))
    if errors:
        raise ValidationError(errors[:50] + ([f"另有 {len(errors) - 50} 行有误"] if len(errors) > 50 else []))
    return _replace_register(community, actor, out, "surveys.register.imported", {"file_rows": len(out)})


def clean_answers(campaign, answers):
    """Every question answered with one of its choices (or a step of the satisfaction scale)."""
    if not isinstance(answers, dict):
        raise ValidationError("答案格式不正确")
    survey, cleaned, missing = spec(campaign), {}, []
    for question in survey["questions"]:
        value = answers.get(question["key"])
        choices = question.get("choices") or survey["scale"]
        if value in (None, ""):
            missing.append(question["text"])
        elif value not in choices:
            raise ValidationError(f"“{question['text']}”的回答须为：{'、'.join(choices)}")
        else:
            cleaned[question["key"]] = value
    if missing:
        raise ValidationError(f"还有 {len(missing)} 题未回答：{missing[0]}")
    unknown = set(answers) - set(cleaned)
    if unknown:
        raise ValidationError("问卷中没有这些题目：" + "、".join(sorted(str(k) for k in unknown))[:200])
    return cleaned


def assigned_communities(user, campaign):
    if is_office(user):
        return Community.objects.all()
    if user.role == Role.SURVEYOR:
        return Community.objects.filter(pk__in=Assignment.objects.filter(campaign=campaign, surveyor=user)
                                        .values("community_id"))
    if user.role == Role.DISTRICT:
        return Community.objects.filter(district_id=user.district_id)
    return Community.objects.none()


@transaction.atomic
def assign(campaign, actor, surveyor, communities):
    if not is_office(actor):
        raise PermissionDenied("只有评选工作办公室可以分配调查任务")
    if surveyor.role != Role.SURVEYOR:
        raise ValidationError("只能分配给创文办调查员")
    made = 0
    for community in communities:
        _, created = Assignment.objects.get_or_create(campaign=campaign, surveyor=surveyor, community=community)
        made += created
    audit.record("surveys.assigned", actor=actor, target=surveyor, after={"communities": [c.pk for c in communities]})
    return made


def record_response(campaign, community, *, household, answers, client_id, channel, surveyor=None, resident=None,
                    started_at=None, recorded_at=None, round_=1, device=""):
    """Store one response; returns (response, created). A retry with the same client id is the
    same response (created False); another household's second response in the round → Conflict.
    The household must be an occupied one of the community's register (UnknownHousehold); a
    resident's phone answers for one household per round (PhoneAnswered). Too fast, or a
    self-fill from a device that answered for another household: flagged, held out of coverage
    and points until the office releases it."""
    now = timezone.now()
    recorded_at = recorded_at or now
    if recorded_at > now + CLOCK_SKEW:
        raise ValidationError("录入时间晚于服务器时间，请校准手机时间")
    client_id = str(client_id or "").strip()
    if not re.match(r"^[A-Za-z0-9_-]{8,64}$", client_id):
        raise ValidationError("缺少有效的问卷编号（client_id）")
    existing = Response.objects.filter(client_id=client_id).first()
    if existing is not None:
        if existing.community_id != community.pk or existing.household != household_key(*household):
            raise Conflict("该问卷编号已用于另一份问卷")
        return existing, False
    clock.require_open(campaign, SURVEY, at=recorded_at)
    if now >= clock.window(campaign, SURVEY)[2]:
        raise Conflict("本轮调查已结束（专家评审开始前截止），不再接收问卷")
    if channel == Response.Channel.SURVEYOR and not assigned_communities(surveyor, campaign).filter(
            pk=community.pk).exists():
        raise PermissionDenied("您未被分配该小区的调查任务")
    key = household_key(*household)
    registered = Household.objects.filter(community=community, key=key).first()
    if registered is None:
        raise UnknownHousehold(f"{community.name}住户登记中没有 {key} 这一户，请核对楼栋、单元和室号")
    if not registered.occupied:
        raise UnknownHousehold(f"{key} 在住户登记中为空置户，不能作答")
    answers = clean_answers(campaign, answers)
    if resident is not None:
        _phone_free(campaign, round_, resident, community, key)
    duration = None
    if started_at is not None:
        duration = max(int((recorded_at - started_at).total_seconds()), 0)
    fast = duration is not None and duration < spec(campaign).get("min_seconds_per_response", 60)
    device = str(device or "")[:64] if channel == Response.Channel.SELF else ""
    same_device = (Response.objects.filter(campaign=campaign, round=round_, device=device).exclude(
        community=community, household=key) if device else Response.objects.none())
    flagged_device = same_device.exists()
    try:
        with transaction.atomic():
            response = Response.objects.create(
                campaign=campaign, community=community, round=round_, household=key, answers=answers, channel=channel,
                surveyor=surveyor, resident=resident, client_id=client_id, started_at=started_at,
                recorded_at=recorded_at, duration_seconds=duration, flagged_fast=fast, device=device,
                flagged_device=flagged_device)
            if flagged_device:  # the earlier households answered from this device are held too
                same_device.filter(flagged_device=False, released_at__isnull=True).update(flagged_device=True)
            audit.record("surveys.response.recorded", actor=surveyor, target=response,
                         after={"community": community.name, "household": key, "channel": channel, "fast": fast,
                                "same_device": flagged_device})
    except IntegrityError:
        again = Response.objects.filter(client_id=client_id).first()
        if again is not None:
            return again, False
        if resident is not None:
            _phone_free(campaign, round_, resident, community, key)
        raise DuplicateHousehold(f"{community.name} {key} 本轮已有问卷，每户每轮只计一份") from None
    return response, True


def _phone_free(campaign, round_, resident, community, key):
    other = Response.objects.filter(campaign=campaign, round=round_, resident=resident).select_related(
        "community").first()
    if other is not None and (other.community_id, other.household) != (community.pk, key):
        raise PhoneAnswered(f"该手机号本轮已为 {other.community.name} {other.household} 作答，"
                            "一个手机号每轮只能代表一户填写")


# --- held responses -------------------------------------------------------------------------------

COUNTED = Q(flagged_fast=False, flagged_device=False) | Q(released_at__isnull=False)


def counted(queryset):
    """The responses that count: not flagged, or released by the office."""
    return queryset.filter(COUNTED)


def held(campaign):
    return Response.objects.filter(campaign=campaign).exclude(COUNTED)


def counted_answers(campaign, community_ids):
    """{community id: [answers]} of the counted responses, by household (what results gather)."""
    out = {}
    for community_id, row in (counted(Response.objects.filter(campaign=campaign, community_id__in=community_ids))
                              .order_by("community_id", "household").values_list("community_id", "answers")):
        out.setdefault(community_id, []).append(row)
    return out


@transaction.atomic
def release(campaign, actor, response):
    """The office has checked a flagged response: it counts from now on."""
    if not is_office(actor):
        raise PermissionDenied("只有评选工作办公室可以核实放行问卷")
    response = Response.objects.select_for_update().get(pk=response.pk, campaign=campaign)
    if not response.held:
        raise Conflict("该问卷未被标记或已放行")
    response.released_at, response.released_by = timezone.now(), actor
    response.save(update_fields=["released_at", "released_by"])
    audit.record("surveys.response.released", actor=actor, target=response,
                 after={"community": response.community.name, "household": response.household})
    return response


# --- figures --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Coverage:
    """Households reached (counted responses of occupied registered households) ÷ occupied
    households; `held`: flagged responses waiting for the office."""
    community: Community
    households: int
    responses: int
    fast: int
    held: int = 0

    @property
    def rate(self):
        return min(Fraction(self.responses, self.households), Fraction(1)) if self.households else Fraction(0)

    @property
    def percent(self):
        return float(self.rate * 100)


def coverage(campaign, communities):
    # One unique-index lookup per response ((community, key)), not the community's whole register.
    reached = Q(COUNTED) & Q(models.Exists(Household.objects.filter(
        community=models.OuterRef("community"), key=models.OuterRef("household"), occupied=True)))
    counts = {r["community_id"]: r for r in Response.objects.filter(campaign=campaign, community__in=communities)
              .values("community_id").annotate(n=Count("household", filter=reached, distinct=True),
                                               fast=Count("id", filter=Q(flagged_fast=True)),
                                               held=Count("id", filter=~COUNTED))}
    rows = []
    for c in communities:
        row = counts.get(c.pk, {})
        rows.append(Coverage(c, c.occupied_households, min(row.get("n", 0), c.occupied_households),
                             row.get("fast", 0), row.get("held", 0)))
    return rows


def coverage_percent(campaign, community):
    """The community's coverage in percent, two decimals (what the SV0 checklist item reads)."""
    from decimal import ROUND_HALF_UP, Decimal

    rate = coverage(campaign, [community])[0].rate
    return (Decimal(rate.numerator * 100) / Decimal(rate.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


REMIND_DAYS_BEFORE_CLOSE = 3


def remind_low_coverage(campaign, now=None):
    """Near the survey's close (`survey.remind_days_before_close` days, default 3), tell each
    surveyor and each district bureau which of their assigned communities are below the
    coverage target, once per campaign each (the notification's key says it was done).
    Returns how many were told."""
    now = now or timezone.now()
    _, opens, closes = clock.window(campaign, "survey")
    days = spec(campaign).get("remind_days_before_close", REMIND_DAYS_BEFORE_CLOSE)
    if not (opens <= now < closes and closes - now <= datetime.timedelta(days=days)):
        return 0
    target = spec(campaign).get("coverage_target_percent", 60)
    assignments = Assignment.objects.filter(campaign=campaign).select_related("surveyor")
    communities = Community.objects.filter(pk__in=assignments.values("community_id")).order_by("pk")
    low = {row.community.pk: row.community for row in coverage(campaign, list(communities))
           if row.households and row.percent < target}
    if not low:
        return 0
    until = clock.display_end(closes, campaign.tz)
    groups = {}  # key -> (users, communities)
    for a in assignments.order_by("community_id", "pk"):  # the same order on every database
        if a.community_id in low and a.surveyor.is_active:
            groups.setdefault(f"surveys.coverage.{campaign.pk}.surveyor.{a.surveyor_id}", ([a.surveyor], []))[1].append(
                low[a.community_id])
    for community in low.values():
        officers = list(User.objects.filter(role=Role.DISTRICT, district_id=community.district_id, is_active=True))
        groups.setdefault(f"surveys.coverage.{campaign.pk}.district.{community.district_id}", (officers, []))[1].append(
            community)
    messages = []
    for key, (users, places) in groups.items():
        if users and not notifications.told(key):
            names = "、".join(c.name for c in places[:5]) + (f"等 {len(places)} 个小区" if len(places) > 5 else "")
            messages.append((users, f"调查将于 {until} 截止，{names}入户调查覆盖率仍低于 {target}%", "/surveys/", key))
    notifications.notify_each(messages, kind="survey_coverage")
    return len(messages)


def by_surveyor(campaign, surveyors):
    rows = {r["surveyor_id"]: r for r in Response.objects.filter(campaign=campaign, surveyor__in=surveyors)
            .values("surveyor_id").annotate(n=Count("id"), fast=Count("id", filter=Q(flagged_fast=True)))}
    return [(s, rows.get(s.pk, {}).get("n", 0), rows.get(s.pk, {}).get("fast", 0)) for s in surveyors]


def points_from(survey, answer_rows, households):
    """(points as an exact Fraction out of 100, raw) from the responses' answers. Awareness and
    support rates are the share of first-choice answers; satisfaction is the mean of the scale
    points; weights from the preset formula (`survey` is the preset's survey section). None
    when there is no response."""
    if not answer_rows:
        return None, {"responses": 0, "coverage": "0", "households": households}
    kinds = {}
    for q in survey["questions"]:
        kinds.setdefault(q["kind"], []).append(q)
    scale = dict(zip(survey["scale"], survey["scale_points"], strict=True))

    def share_first(kind):
        questions = kinds.get(kind, [])
        total = len(questions) * len(answer_rows)
        yes = sum(1 for a in answer_rows for q in questions if a.get(q["key"]) == q["choices"][0])
        return Fraction(yes, total) if total else Fraction(0)

    sat = kinds.get("satisfaction", [])
    sat_total = len(sat) * len(answer_rows)
    satisfaction = (Fraction(sum(scale[a[q["key"]]] for a in answer_rows for q in sat), sat_total)
                    if sat_total else Fraction(0))
    formula = survey["formula"]
    awareness, support = share_first("awareness"), share_first("support")
    points = (Fraction(formula.get("awareness", 0), 100) * awareness * 100
              + Fraction(formula.get("support", 0), 100) * support * 100
              + Fraction(formula.get("satisfaction", 0), 100) * satisfaction)
    raw = {"responses": len(answer_rows), "households": households,
           "coverage": str(min(Fraction(len(answer_rows), households or 1), Fraction(1))),
           "awareness_rate": str(awareness), "support_rate": str(support), "satisfaction": str(satisfaction)}
    return points, raw


def survey_points(campaign, community):
    rows = counted_answers(campaign, [community.pk]).get(community.pk, [])
    return points_from(spec(campaign), rows, community.occupied_households)


# --- paper questionnaires (调查表) ------------------------------------------------------------------

@transaction.atomic
def import_paper(campaign, actor, fileobj):
    """Rows: 小区, 楼栋, 单元, 室号, then one column per question (its text or key). All or
    nothing: the first bad row is named and nothing is stored."""
    if not (is_office(actor) or actor.role == Role.SURVEYOR):
        raise PermissionDenied("只有评选工作办公室或调查员可以导入调查表")
    try:
        rows = list(read_rows(fileobj))
    except UnreadableImport as exc:
        raise ValidationError(str(exc)) from None
    if len(rows) < 2:
        raise ValidationError("文件中没有调查表数据")
    header = [str(h or "").strip() for h in rows[0][1]]
    questions = spec(campaign)["questions"]
    columns = {}
    for q in questions:
        for i, h in enumerate(header):
            if h in (q["key"], q["text"]):
                columns[q["key"]] = i
    missing = [q["text"] for q in questions if q["key"] not in columns]
    if header[:4] != ["小区", "楼栋", "单元", "室号"] or missing:
        raise ValidationError("表头须为：小区、楼栋、单元、室号，然后每题一列" + (f"（缺少“{missing[0]}”）" if missing else ""))
    communities = {c.name: c for c in assigned_communities(actor, campaign)}
    created = 0
    for number, cells in rows[1:]:
        if not any(cells):
            continue
        try:
            community = communities.get(str(cells[0] or "").strip())
            if community is None:
                raise ValidationError("小区不存在或不在您的调查范围内")
            answers = {key: (str(cells[i]).strip() if i < len(cells) and cells[i] is not None else "")
                       for key, i in columns.items()}
            household = household_key(cells[1], cells[2], cells[3])
            _, made = record_response(campaign, community, household=(cells[1], cells[2], cells[3]), answers=answers,
                                      client_id=f"paper-{campaign.pk}-{community.pk}-{household}"[:64],
                                      channel=Response.Channel.PAPER, surveyor=actor)
            if not made:
                raise Conflict(f"{community.name} {household} 已导入过")
        except (ValidationError, Conflict, PermissionDenied) as exc:
            text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise ValidationError(f"第 {number} 行：{text}") from None
        created += 1
    audit.record("surveys.paper.imported", actor=actor, target=None, after={"responses": created},
                 target_type="surveys.Response")
    return created
