"""The dashboards' panels: one function per panel, each taking (campaign, scope) and returning
plain data — a chart (categories and series) and the same numbers as a table (headers and rows).

A `Scope` is the whole city, one district, one company or one community; it is resolved from
the signed-in user by the views (`scope_for`), so a district officer's scope always carries the
district and no panel can count outside it. Every figure is an aggregate in the database
(values/annotate/aggregate), read through each app's own services where they have one."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from wenming.awards.models import Application, Showcase, Status
from wenming.campaigns import clock
from wenming.complaints import services as complaints
from wenming.complaints.models import Ticket
from wenming.core.access import is_office
from wenming.core.roles import Role
from wenming.credit import services as credit
from wenming.credit.models import CreditList, ListEntry
from wenming.dashboard import tally
from wenming.judging.models import Assignment as ExpertAssignment
from wenming.registry.models import Community, Company, District, Staff
from wenming.results import scoring
from wenming.supervision.models import OPEN_STATES, Inspection, Interview, OrderState, RectificationOrder
from wenming.surveys import services as surveys
from wenming.surveys.models import Assignment as SurveyAssignment
from wenming.surveys.models import Response as SurveyResponse
from wenming.volunteers import services as volunteers
from wenming.volunteers.models import Record

KINDS = ("city", "district", "company", "community")


@dataclass(frozen=True)
class Scope:
    """Where a dashboard counts: `kind` is what it shows (city, district, company, community);
    `district_id` is set for a district officer whatever the kind, so a company's numbers seen
    from a district are that company's numbers in that district only."""
    kind: str
    label: str
    district_id: int | None = None
    company_id: int | None = None
    community_id: int | None = None
    pk: int | None = None

    @property
    def key(self):
        return f"{self.kind}-{self.pk or 0}-d{self.district_id or 0}"

    def q(self, district="district", company="company", community="community"):
        """The filter for a resource whose district, company and community are at these paths."""
        q = Q()
        if self.district_id:
            q &= Q(**{f"{district}_id": self.district_id})
        if self.company_id:
            q &= Q(**{f"{company}_id": self.company_id})
        if self.community_id:
            q &= Q(**{f"{community}_id": self.community_id})
        return q

    @property
    def breakdown(self):
        """What the next level down is: the city by district, a district by company, a company
        (and a community) by community."""
        return {"city": "district", "district": "company"}.get(self.kind, "community")


def city_scope():
    return Scope("city", "全市")


def scope_for(user, kind="", pk=None):
    """The scope a user asks for, or Http404 when it lies outside what the user may see. The
    board itself (no kind): the office's is the city, a district officer's their district."""
    own_district = user.district_id if user.role == Role.DISTRICT else None
    if user.role == Role.DISTRICT and not own_district:
        raise Http404
    if not kind:
        if own_district:
            return Scope("district", District.objects.get(pk=own_district).name, district_id=own_district, pk=own_district)
        return city_scope()
    if kind == "district":
        district = District.objects.filter(pk=pk).first()
        if district is None or (own_district and district.pk != own_district):
            raise Http404
        return Scope("district", district.name, district_id=district.pk, pk=district.pk)
    if kind == "company":
        company = Company.objects.visible_to(user).filter(pk=pk).first()
        if company is None:
            raise Http404
        return Scope("company", company.name, district_id=own_district, company_id=company.pk, pk=company.pk)
    if kind == "community":
        community = Community.objects.visible_to(user).filter(pk=pk).first()
        if community is None:
            raise Http404
        return Scope("community", community.name, district_id=own_district, community_id=community.pk, pk=community.pk)
    raise Http404


@dataclass
class Panel:
    key: str
    title: str
    chart: str  # bar, stacked, line, pie, heatmap
    categories: list = field(default_factory=list)
    series: list = field(default_factory=list)  # [{"name", "data"}]
    headers: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    note: str = ""
    links: dict = field(default_factory=dict)  # row label -> (kind, pk): drill-down
    extra: dict = field(default_factory=dict)

    def chart_data(self):
        return {"chart": self.chart, "categories": self.categories, "series": self.series, **self.extra}


def _percent(numerator, denominator):
    """One decimal, as a number (Excel keeps it numeric), or None when nothing counts."""
    if not denominator:
        return None
    return float((Fraction(numerator * 1000, denominator) + Fraction(1, 2)) // 1 / 10)


def _communities(scope):
    q = Q(pk=scope.community_id) if scope.community_id else Q()
    if scope.district_id:
        q &= Q(district_id=scope.district_id)
    if scope.company_id:
        q &= Q(company_id=scope.company_id)
    return Community.objects.filter(q)


def _companies(scope):
    """Companies the scope covers: those managing a community in it (and, for a district, those
    registered there)."""
    if scope.kind == "city":
        return Company.objects.all()
    if scope.company_id:
        return Company.objects.filter(pk=scope.company_id)
    if scope.community_id:
        return Company.objects.filter(communities__pk=scope.community_id)
    return Company.objects.filter(Q(district_id=scope.district_id) | Q(communities__district_id=scope.district_id)
                                  ).distinct()


def _group(scope, prefix="", community="community"):
    """(field holding the breakdown's id, field holding its name) for a resource whose district,
    company and community sit at `prefix` (its community at `community` when elsewhere)."""
    level = scope.breakdown
    path = community if level == "community" else f"{prefix}{level}"
    return f"{path}_id", f"{path}__name"


# --- campaign ------------------------------------------------------------------------------------

def phase(campaign, scope, now=None):
    now = now or timezone.now()
    today = timezone.localdate(now, campaign.tz)
    current = clock.current_phase(campaign, now)
    rows = []
    for item in clock.timeline(campaign, now):
        p = item["phase"]
        left = (item["last_day"] - today).days + 1 if item["state"] == "current" else None
        rows.append([p.name, item["first_day"].isoformat(), item["last_day"].isoformat(),
                     {"past": "已结束", "current": "进行中", "upcoming": "未开始"}[item["state"]], left])
    last_day = (campaign.ends_at.astimezone(campaign.tz) - datetime.timedelta(days=1)).date()
    first_day = campaign.starts_at.astimezone(campaign.tz).date()
    total = (last_day - first_day).days + 1
    days_left = total if today < first_day else max((last_day - today).days + 1, 0)
    passed = total - days_left
    note = (f"当前阶段：{current.name}" if current else "当前不在任何阶段内") + f"；活动剩余 {days_left} 天（共 {total} 天）"
    return Panel("phase", "活动阶段与剩余天数", "pie", categories=["已过天数", "剩余天数"],
                 series=[{"name": "天数", "data": [passed, days_left]}],
                 headers=["阶段", "开始日期", "结束日期", "状态", "本阶段剩余天数"], rows=rows, note=note,
                 extra={"current": current.name if current else "", "days_left": days_left, "total_days": total})


# --- applications and candidates -------------------------------------------------------------------

def _applications(campaign, scope):
    return Application.objects.filter(campaign=campaign, merged_into__isnull=True).filter(scope.q())


def applications(campaign, scope):
    group_id, group_name = _group(scope)
    rows = list(_applications(campaign, scope).exclude(status=Status.DRAFT)
                .values("award__name", "award__sort_order", group_id, group_name, "status")
                .annotate(n=Count("pk")).order_by("award__sort_order", group_name, "status"))
    labels = dict(Status.choices)
    statuses = [s for s, _ in Status.choices if any(r["status"] == s for r in rows)]
    awards = list(dict.fromkeys(r["award__name"] for r in rows))
    counts = {(r["award__name"], r["status"]): 0 for r in rows}
    for r in rows:
        counts[(r["award__name"], r["status"])] += r["n"]
    series = [{"name": labels[s], "data": [counts.get((a, s), 0) for a in awards]} for s in statuses]
    level = {"district": "区", "company": "物业服务企业", "community": "小区"}[scope.breakdown]
    table = [[r["award__name"], r[group_name] or "—", labels[r["status"]], r["n"]] for r in rows]
    return Panel("applications", "申报情况（按奖项、地区和审核环节）", "stacked", categories=awards, series=series,
                 headers=["奖项", level, "审核环节", "申报数"], rows=table,
                 links={r[group_name]: (scope.breakdown, r[group_id]) for r in rows if r[group_id]},
                 note=f"共 {sum(r['n'] for r in rows)} 份已提交的申报（不含草稿）")


def candidates(campaign, scope):
    group_id, group_name = _group(scope)
    rows = list(_applications(campaign, scope).filter(status=Status.CANDIDATE)
                .values("award__name", "award__sort_order", group_id, group_name)
                .annotate(n=Count("pk"), published=Count("pk", filter=Q(showcase__published_at__isnull=False)))
                .order_by("award__sort_order", group_name))
    awards = list(dict.fromkeys(r["award__name"] for r in rows))
    totals = {a: sum(r["n"] for r in rows if r["award__name"] == a) for a in awards}
    shown = {a: sum(r["published"] for r in rows if r["award__name"] == a) for a in awards}
    level = {"district": "区", "company": "物业服务企业", "community": "小区"}[scope.breakdown]
    return Panel("candidates", "候选对象", "bar", categories=awards,
                 series=[{"name": "候选数", "data": [totals[a] for a in awards]},
                         {"name": "已公开展示", "data": [shown[a] for a in awards]}],
                 headers=["奖项", level, "候选数", "已公开展示"],
                 rows=[[r["award__name"], r[group_name] or "—", r["n"], r["published"]] for r in rows],
                 links={r[group_name]: (scope.breakdown, r[group_id]) for r in rows if r[group_id]},
                 note=f"共 {sum(totals.values())} 个候选对象")


# --- votes -------------------------------------------------------------------------------------------

def _votes(campaign, scope):
    """The scope's votes as filters by candidate id (a short list) rather than a join over
    millions of rows; a vote and its hour's tally share them (dashboard.tally)."""
    awards = list(campaign.awards.values_list("pk", flat=True))
    if scope.kind == "city":
        return {"award_id__in": awards}
    candidates_ = Showcase.objects.filter(application__campaign=campaign).filter(
        scope.q("application__district", "application__company", "application__community"))
    return {"award_id__in": awards, "candidate_id__in": list(candidates_.values_list("pk", flat=True))}


def votes_per_day(campaign, scope):
    rows = [{"day": day, "n": n, "quarantined": held}
            for day, (n, held) in tally.counts(campaign, "day", _votes(campaign, scope)).items()]
    return Panel("votes_day", "每日投票数与待核查占比", "stacked",
                 categories=[r["day"].isoformat() for r in rows],
                 series=[{"name": "其他", "data": [r["n"] - r["quarantined"] for r in rows]},
                         {"name": "待核查", "data": [r["quarantined"] for r in rows]}],
                 headers=["日期", "投票数", "待核查", "待核查占比（%）"],
                 rows=[[r["day"].isoformat(), r["n"], r["quarantined"], _percent(r["quarantined"], r["n"])] for r in rows],
                 note=_vote_note(rows))


def votes_per_hour(campaign, scope):
    counted = tally.counts(campaign, "hour", _votes(campaign, scope))
    rows = [[f"{h:02d}时", *counted.get(h, [0, 0])] for h in range(24)]
    for row in rows:
        row.append(_percent(row[2], row[1]))
    return Panel("votes_hour", "各时段投票数与待核查占比（北京时间）", "stacked", categories=[r[0] for r in rows],
                 series=[{"name": "其他", "data": [r[1] - r[2] for r in rows]},
                         {"name": "待核查", "data": [r[2] for r in rows]}],
                 headers=["时段", "投票数", "待核查", "待核查占比（%）"], rows=rows,
                 note=_vote_note([{"n": r[1], "quarantined": r[2]} for r in rows]))


def _vote_note(rows):
    total = sum(r["n"] for r in rows)
    held = sum(r["quarantined"] for r in rows)
    share = _percent(held, total)
    return f"共 {total} 票，其中待核查 {held} 票" + (f"（{share}%）" if share is not None else "")


# --- survey --------------------------------------------------------------------------------------------

def survey_target(campaign):
    return surveys.spec(campaign).get("coverage_target_percent", 60)


def survey_coverage(campaign, scope):
    target = survey_target(campaign)
    surveyed = (SurveyAssignment.objects.filter(campaign=campaign).values("community_id")
                .union(SurveyResponse.objects.filter(campaign=campaign).values("community_id")))
    communities = list(_communities(scope).filter(pk__in=[r["community_id"] for r in surveyed])
                       .select_related("district").order_by("district__sort_order", "name"))
    rows = surveys.coverage(campaign, communities)
    table = [[r.community.name, r.community.district.name, r.households, r.responses,
              round(r.percent, 1), "达标" if r.households and r.percent >= target else "未达标"] for r in rows]
    reached = sum(1 for r in rows if r.households and r.percent >= target)
    return Panel("survey", f"入户调查覆盖率（目标 {target}%）", "bar", categories=[r[0] for r in table],
                 series=[{"name": "覆盖率（%）", "data": [r[4] for r in table]}],
                 headers=["小区", "区", "入住户数", "已访户数", "覆盖率（%）", "是否达标"], rows=table,
                 links={r.community.name: ("community", r.community.pk) for r in rows},
                 note=f"{len(rows)} 个小区中 {reached} 个达到 {target}% 目标", extra={"target": target})


# --- experts --------------------------------------------------------------------------------------------

def experts(campaign, scope):
    """A candidate × expert grid of submitted totals; with as many submitted sheets as the
    scoring rule drops extremes from, the dropped highest and lowest are flagged (the same
    rule results.scoring applies). Rows and columns are keyed by id: two candidates or two
    experts of the same name stay two."""
    drop_from = campaign.typed_rules.scoring.expert_drop_extremes_from
    cells = list(ExpertAssignment.objects.filter(campaign=campaign).filter(
        scope.q("candidate__application__district", "candidate__application__company",
                "candidate__application__community"))
        .values("candidate_id", "candidate__title", "expert_id", "expert__user__display_name",
                "sheet__submitted_at", "sheet__total")
        .order_by("candidate__title", "candidate_id", "expert__user__display_name", "expert_id"))
    candidates_ = {c["candidate_id"]: c["candidate__title"] for c in cells}  # in title order
    experts_ = dict(sorted({c["expert_id"]: c["expert__user__display_name"] for c in cells}.items(),
                           key=lambda item: (item[1], item[0])))
    columns, lines = list(experts_), list(candidates_)
    grid = {}
    for c in cells:
        done = c["sheet__submitted_at"] is not None and c["sheet__total"] is not None
        grid[(c["candidate_id"], c["expert_id"])] = c["sheet__total"] if done else None
    flagged = set()
    for candidate in lines:
        totals = [(e, grid[(candidate, e)]) for e in columns if grid.get((candidate, e)) is not None]
        _, dropped = scoring.expert_points([t for _, t in totals], drop_from)
        for value in dropped:
            for e, t in totals:
                if Fraction(Decimal(str(t))) == value and (candidate, e) not in flagged:
                    flagged.add((candidate, e))
                    break
    heat, rows = [], []
    for y, candidate in enumerate(lines):
        row = [candidates_[candidate]]
        for x, e in enumerate(columns):
            if (candidate, e) not in grid:
                row.append("—")
                continue
            total = grid[(candidate, e)]
            if total is None:
                row.append("未提交")
                continue
            heat.append([x, y, float(total)])
            row.append(f"{total}（去掉）" if (candidate, e) in flagged else float(total))
        done = sum(1 for e in columns if grid.get((candidate, e)) is not None)
        assigned = sum(1 for e in columns if (candidate, e) in grid)
        row += [assigned, done]
        rows.append(row)
    submitted = sum(1 for v in grid.values() if v is not None)
    names = _distinct(experts_.values())
    return Panel("experts", "专家评分进度（候选对象 × 专家）", "heatmap", categories=names,
                 series=[{"name": "评分", "data": heat}],
                 headers=["候选对象", *names, "分配专家数", "已提交"], rows=rows,
                 note=f"已提交 {submitted} / {len(grid)} 份评分表；“去掉”为计分时去掉的最高分和最低分"
                      f"（{drop_from} 位及以上专家评分时）",
                 extra={"y": _distinct(candidates_.values()),
                        "flagged": sorted([columns.index(e), lines.index(c)] for c, e in flagged)})


def _distinct(names):
    """Labels for a chart axis or a header: a name that repeats gets its ordinal, 张三（2）."""
    seen, labels = {}, []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        labels.append(name if seen[name] == 1 else f"{name}（{seen[name]}）")
    return labels


# --- supervision -----------------------------------------------------------------------------------------

def supervision(campaign, scope, today=None):
    today = today or timezone.localdate(timezone.now(), campaign.tz)
    names = {c.key: c.name for c in campaign.typed_rules.checklists}
    orders = (RectificationOrder.objects.filter(scope.q()).values(action=F("finding__action"))
              .annotate(total=Count("pk"), open=Count("pk", filter=Q(state__in=OPEN_STATES)),
                        overdue=Count("pk", filter=Q(state=OrderState.OVERDUE) | Q(
                            state__in=[OrderState.ISSUED, OrderState.RECTIFYING], deadline__lt=today)),
                        closed=Count("pk", filter=Q(state=OrderState.CLOSED))))
    by_action = {r["action"]: r for r in orders}
    keys = [k for k in names if k in by_action] + sorted(k for k in by_action if k not in names)
    inspections = (Inspection.objects.filter(state=Inspection.State.SUBMITTED).filter(scope.q())
                   .values("kind").annotate(n=Count("pk")))
    kinds = dict(Inspection.Kind.choices)
    inspected = {kinds[r["kind"]]: r["n"] for r in inspections}
    rows = []
    for k in keys:
        r = by_action[k]
        rows.append([names.get(k, k), r["total"], r["open"], r["overdue"], r["closed"], _percent(r["closed"], r["total"])])
    return Panel("supervision", "督查检查与整改（按提升行动）", "bar", categories=[r[0] for r in rows],
                 series=[{"name": "整改通知", "data": [r[1] for r in rows]},
                         {"name": "未销号", "data": [r[2] for r in rows]},
                         {"name": "逾期", "data": [r[3] for r in rows]},
                         {"name": "已销号", "data": [r[4] for r in rows]}],
                 headers=["提升行动", "整改通知", "未销号", "逾期", "已销号", "销号率（%）"], rows=rows,
                 note=f"已提交检查 {sum(inspected.values())} 次（" +
                      ("，".join(f"{k} {v} 次" for k, v in inspected.items()) or "无") + "）",
                 extra={"inspections": inspected})


def interviews(campaign, scope):
    group_id, group_name = _group(scope, "problem__", "problem__community")
    rows = list(Interview.objects.filter(scope.q("problem__district", "problem__company", "problem__community"))
                .values(group_id, group_name).annotate(n=Count("pk"), open=Count("pk", filter=Q(state=Interview.State.OPEN)))
                .order_by(group_name))
    level = {"district": "区", "company": "物业服务企业", "community": "小区"}[scope.breakdown]
    table = [[r[group_name] or "—", r["n"], r["open"]] for r in rows]
    return Panel("interviews", "约谈", "bar", categories=[r[0] for r in table],
                 series=[{"name": "约谈次数", "data": [r[1] for r in table]}],
                 headers=[level, "约谈次数", "整改中"], rows=table,
                 links={r[group_name]: (scope.breakdown, r[group_id]) for r in rows if r[group_id]},
                 note=f"共约谈 {sum(r[1] for r in table)} 次")


# --- complaints and volunteers ------------------------------------------------------------------------------

def complaint_rates(campaign, scope, at=None):
    tickets = Ticket.objects.filter(campaign=campaign).filter(scope.q())
    rates = complaints.rates(tickets, at=at)
    rows = [[r.name, r.numerator, r.denominator, _percent(r.numerator, r.denominator), r.rule] for r in rates]
    filed = tickets.count()
    return Panel("complaints", "投诉处理“三率”", "bar", categories=[r[0] for r in rows],
                 series=[{"name": "比率（%）", "data": [r[3] for r in rows]}],
                 headers=["指标", "分子", "分母", "比率（%）", "计算方法"], rows=rows, note=f"共受理投诉 {filed} 件")


def volunteer_hours(campaign, scope):
    group_id, group_name = _group(scope, community="station__community")
    records = volunteers.confirmed(Record.objects.filter(campaign=campaign).filter(
        scope.q(community="station__community")))
    rows = list(records.values(group_id, group_name)
                .annotate(minutes=Coalesce(Sum("minutes"), 0), n=Count("pk"), people=Count("volunteer", distinct=True))
                .order_by(group_name))
    level = {"district": "区", "company": "物业服务企业", "community": "小区"}[scope.breakdown]
    table = [[r[group_name] or "—", float(volunteers.hours_text(r["minutes"])), r["n"], r["people"]] for r in rows]
    total = sum(r["minutes"] for r in rows)
    return Panel("volunteers", "志愿服务时长", "bar", categories=[r[0] for r in table],
                 series=[{"name": "服务时长（小时）", "data": [r[1] for r in table]}],
                 headers=[level, "服务时长（小时）", "服务次数", "志愿者人数"], rows=table,
                 links={r[group_name]: (scope.breakdown, r[group_id]) for r in rows if r[group_id]},
                 note=f"已确认服务时长共 {volunteers.hours_text(total)} 小时")


# --- credit --------------------------------------------------------------------------------------------------

def credit_grades(campaign, scope, at=None):
    companies = list(_companies(scope).only("pk"))
    standings = credit.standings(campaign, companies, at=at)
    grades = [g.grade for g in credit.rules(campaign).grades]
    counts = dict.fromkeys(grades, 0)
    for s in standings.values():
        counts[s.grade] = counts.get(s.grade, 0) + 1
    latest = CreditList.objects.filter(campaign=campaign, state=CreditList.State.PUBLISHED).order_by("-period").first()
    lists = {"red": 0, "black": 0}
    if latest is not None:
        for r in (ListEntry.objects.filter(credit_list=latest, company__in=[c.pk for c in companies])
                  .values("kind").annotate(n=Count("pk"))):
            lists[r["kind"]] = r["n"]
    rows = [[g, counts[g]] for g in counts]
    period = f"最近发布的红黑榜（{latest.period}）" if latest else "尚未发布红黑榜"
    return Panel("credit", "企业信用等级分布与红黑榜", "bar", categories=list(counts),
                 series=[{"name": "企业数", "data": list(counts.values())}],
                 headers=["信用等级", "企业数"], rows=rows + [["红榜", lists["red"]], ["黑榜", lists["black"]]],
                 note=f"{len(companies)} 家企业；{period}：红榜 {lists['red']} 家，黑榜 {lists['black']} 家")


# --- participation -----------------------------------------------------------------------------------------------

def participation(campaign, scope):
    """Per company: applications submitted, staff entered, communities surveyed — each a
    subquery count, so one grouping never multiplies another."""
    def count(queryset, *, distinct=None):
        value = Count(distinct, distinct=True) if distinct else Count("pk")
        return Coalesce(Subquery(queryset.order_by().values("company").annotate(n=value).values("n")[:1]), 0)

    limit = Q(district_id=scope.district_id) if scope.district_id else Q()
    staff_limit = Q(community__district_id=scope.district_id) if scope.district_id else Q()
    if scope.community_id:
        limit, staff_limit = Q(community_id=scope.community_id), Q(community_id=scope.community_id)
    # One level of subquery only: an OuterRef nested one subquery deeper would name the
    # response, not the company (SQLite happened to agree when the ids did).
    surveyed = SurveyResponse.objects.filter(
        Q(community_id=scope.community_id) if scope.community_id
        else Q(community__district_id=scope.district_id) if scope.district_id else Q(),
        campaign=campaign, community__company=OuterRef("pk")).annotate(company=F("community__company"))
    rows = list(_companies(scope).annotate(
        n_applications=count(Application.objects.filter(limit, campaign=campaign, company=OuterRef("pk"))
                           .exclude(status=Status.DRAFT)),
        n_staff=count(Staff.objects.filter(staff_limit, company=OuterRef("pk"))),
        n_surveyed=count(surveyed, distinct="community"),
    ).values("pk", "name", "n_applications", "n_staff", "n_surveyed").order_by("-n_applications", "name"))
    table = [[r["name"], r["n_applications"], r["n_staff"], r["n_surveyed"]] for r in rows]
    return Panel("participation", "各物业服务企业参与情况", "bar", categories=[r[0] for r in table],
                 series=[{"name": "申报数", "data": [r[1] for r in table]},
                         {"name": "录入员工数", "data": [r[2] for r in table]},
                         {"name": "已入户调查小区数", "data": [r[3] for r in table]}],
                 headers=["物业服务企业", "申报数", "录入员工数", "已入户调查小区数"], rows=table,
                 links={r["name"]: ("company", r["pk"]) for r in rows}, note=f"{len(rows)} 家企业")


PANELS = {
    "phase": phase, "applications": applications, "candidates": candidates, "votes_day": votes_per_day,
    "votes_hour": votes_per_hour, "survey": survey_coverage, "experts": experts, "supervision": supervision,
    "interviews": interviews, "complaints": complaint_rates, "volunteers": volunteer_hours, "credit": credit_grades,
    "participation": participation,
}


OFFICE_ONLY = ("experts",)  # expert scores are the office's until results are published (as in judging)
VOTE_PANELS = ("votes_day", "votes_hour")


def available(campaign, viewer=None):
    """The panel keys this campaign has for this viewer: complaints only when its rules turn
    them on; for anyone but the office (a district bureau), no expert grid, and the vote panels
    only while the rules show live counts (a district sees no figure the public may not)."""
    keys = list(PANELS)
    if not campaign.typed_rules.complaints:
        keys.remove("complaints")
    if viewer is not None and not is_office(viewer):
        hidden = set(OFFICE_ONLY)
        if campaign.typed_rules.voting.counts_visibility != "live":
            hidden.update(VOTE_PANELS)
        keys = [k for k in keys if k not in hidden]
    return keys


def build(campaign, scope, keys=None):
    return [PANELS[key](campaign, scope) for key in (keys or available(campaign))]
