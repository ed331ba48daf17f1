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
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from wenming.campaigns import clock
from wenming.core import audit
from wenming.core.access import is_office
from wenming.core.errors import Conflict
from wenming.core.excel import NotAnXlsx, read_rows
from wenming.core.roles import Role
from wenming.registry.models import Community
from wenming.surveys.models import Assignment, Response

PART = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff]{1,10}$")
CLOCK_SKEW = datetime.timedelta(minutes=5)
SURVEY = clock.gate("survey", "surveys.services.record_response")


class DuplicateHousehold(Conflict):
    """The household already has a response this round (the page shows it at the household)."""


def spec(campaign):
    return campaign.rules["survey"]


def household_key(building, unit, room):
    """'3-2-501' from what was typed: full-width digits and letters folded (NFKC), spaces and
    the words 号楼/栋/单元/室 dropped, letters upper-cased."""
    parts = []
    for label, value in (("楼栋", building), ("单元", unit), ("室号", room)):
        text = unicodedata.normalize("NFKC", str(value or "")).strip().upper()
        text = re.sub(r"\s+|号楼|栋|幢|单元|室|号$", "", text)
        if not PART.match(text):
            raise ValidationError(f"{label}请填写 1 至 10 位数字、字母或汉字")
        parts.append(text)
    return "-".join(parts)


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
                    started_at=None, recorded_at=None, round_=1):
    """Store one response; returns (response, created). A retry with the same client id is the
    same response (created False); another household's second response in the round → Conflict."""
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
    answers = clean_answers(campaign, answers)
    duration = None
    if started_at is not None:
        duration = max(int((recorded_at - started_at).total_seconds()), 0)
    fast = duration is not None and duration < spec(campaign).get("min_seconds_per_response", 60)
    try:
        with transaction.atomic():
            response = Response.objects.create(
                campaign=campaign, community=community, round=round_, household=key, answers=answers, channel=channel,
                surveyor=surveyor, resident=resident, client_id=client_id, started_at=started_at,
                recorded_at=recorded_at, duration_seconds=duration, flagged_fast=fast)
            audit.record("surveys.response.recorded", actor=surveyor, target=response,
                         after={"community": community.name, "household": key, "channel": channel, "fast": fast})
    except IntegrityError:
        again = Response.objects.filter(client_id=client_id).first()
        if again is not None:
            return again, False
        raise DuplicateHousehold(f"{community.name} {key} 本轮已有问卷，每户每轮只计一份") from None
    return response, True


# --- figures --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Coverage:
    community: Community
    households: int
    responses: int
    fast: int

    @property
    def rate(self):
        return Fraction(self.responses, self.households) if self.households else Fraction(0)

    @property
    def percent(self):
        return float(self.rate * 100)


def coverage(campaign, communities):
    counts = {r["community_id"]: r for r in Response.objects.filter(campaign=campaign, community__in=communities)
              .values("community_id").annotate(n=Count("id"), fast=Count("id", filter=Q(flagged_fast=True)))}
    return [Coverage(c, c.occupied_households, counts.get(c.pk, {}).get("n", 0), counts.get(c.pk, {}).get("fast", 0))
            for c in communities]


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
           "coverage": str(Fraction(len(answer_rows), households or 1)),
           "awareness_rate": str(awareness), "support_rate": str(support), "satisfaction": str(satisfaction)}
    return points, raw


def survey_points(campaign, community):
    rows = list(Response.objects.filter(campaign=campaign, community=community).values_list("answers", flat=True))
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
    except NotAnXlsx as exc:
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
