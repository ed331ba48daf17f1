"""Every state change of expert judging. Rubrics are the preset's `rubrics[award]`; conflict
rules and the score precision are `judging`. Scores are decimal text with a fixed number of
places, bounded per item; a stale save is refused with the current version (optimistic lock)."""

import re
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from wenming.awards.models import Showcase, Status
from wenming.campaigns import clock
from wenming.core import audit
from wenming.core.access import ensure_office
from wenming.core.errors import Conflict
from wenming.core.notifications import notify, notify_each, resolve
from wenming.judging.models import Assignment, Committee, Expert, Reopen, Sheet, SheetPhoto

# ASCII digits only: \\d would also take full-width and other scripts' digits.
SCORING = clock.gate("score", "judging.services.save_sheet/submit_sheet")
SCORE = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,2})?$")


class StaleSheet(Conflict):
    """Saved elsewhere meanwhile; `fields` names the version the caller should reload."""

    code = "stale_version"

    def __init__(self, current):
        self.current = current
        self.fields = {"version": str(current)}
        super().__init__(f"评分表已在别处保存（当前版本 {current}），请刷新后再改")


def spec(campaign):
    return campaign.typed_rules.judging


def rubric(campaign, award_key):
    """[{"key": "environment.1", "section", "name", "max": Decimal}] in preset order."""
    spec_ = campaign.typed_rules.rubrics.get(award_key)
    if not spec_:
        raise ValidationError("该奖项没有评分标准")
    return [{"key": f"{section.key}.{i}", "section": section.name, "name": item.name, "max": Decimal(str(item.max))}
            for section in spec_.sections for i, item in enumerate(section.items, start=1)]


def candidates(campaign):
    return Showcase.objects.filter(application__campaign=campaign, application__status=Status.CANDIDATE,
                                   published_at__isnull=False).select_related("application__award",
                                                                              "application__company",
                                                                              "application__community")


def conflict(campaign, expert, candidate):
    """Why this expert may not score this candidate, or None (rules from the preset)."""
    company_id = candidate.application.company_id
    rules = spec(campaign).conflicts
    if company_id is None:
        return None
    if "employer" in rules and expert.employer_id == company_id:
        return f"{expert} 任职于候选所属企业“{candidate.application.company}”，须回避"
    if "declared_relation" in rules and expert.related_companies.filter(pk=company_id).exists():
        return f"{expert} 申报与候选所属企业“{candidate.application.company}”有利害关系，须回避"
    return None


@transaction.atomic
def assign(campaign, actor, expert, candidate, *, tell=True):
    """`tell=False` leaves telling the expert to the caller (automatic assignment tells each once)."""
    ensure_office(actor, "只有评选工作办公室可以分配评审任务")
    reason = conflict(campaign, expert, candidate)
    if reason:
        raise ValidationError(reason)
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(campaign=campaign, expert=expert, candidate=candidate,
                                                   assigned_by=actor)
    except IntegrityError:
        raise Conflict("该专家已分配此候选") from None
    Sheet.objects.create(assignment=assignment)
    audit.record("judging.assigned", actor=actor, target=assignment,
                 after={"expert": str(expert), "candidate": candidate.title})
    if tell:
        notify([expert.user], f"您有新的评审任务：{candidate.title}", f"/judging/{assignment.pk}/",
               kind="expert_assigned", key=f"judging.assignment.{assignment.pk}")
    return assignment


@transaction.atomic
def auto_assign(campaign, actor, award, experts, per_candidate=None):
    """Each candidate of the award gets `per_candidate` experts without a conflict, taking the
    least-loaded first and, among equals, the one with fewest candidates from that district
    (the load balanced across districts). Returns (made, [(candidate, reason)] short of experts)."""
    ensure_office(actor, "只有评选工作办公室可以分配评审任务")
    per_candidate = per_candidate or spec(campaign).experts_per_candidate
    committee = Committee.objects.filter(award=award).first()
    if committee is not None and committee.members.exists():
        members = set(committee.members.values_list("pk", flat=True))
        experts = [e for e in experts if e.pk in members]  # the award's committee only
    load = {e.pk: 0 for e in experts}
    by_district = {}
    for row in Assignment.objects.filter(expert__in=experts).values("expert_id", "candidate__application__district_id"):
        load[row["expert_id"]] += 1
        key = (row["expert_id"], row["candidate__application__district_id"])
        by_district[key] = by_district.get(key, 0) + 1
    made, short, given = 0, [], {}
    for candidate in candidates(campaign).filter(application__award=award).order_by("pk"):
        have = set(Assignment.objects.filter(candidate=candidate).values_list("expert_id", flat=True))
        district = candidate.application.district_id
        pool = sorted((e for e in experts if e.pk not in have and not conflict(campaign, e, candidate)),
                      key=lambda e: (load[e.pk], by_district.get((e.pk, district), 0), e.pk))
        for expert in pool[: max(per_candidate - len(have), 0)]:
            assign(campaign, actor, expert, candidate, tell=False)
            given[expert] = given.get(expert, 0) + 1
            load[expert.pk] += 1
            by_district[(expert.pk, district)] = by_district.get((expert.pk, district), 0) + 1
            made += 1
        missing = per_candidate - len(have) - min(len(pool), max(per_candidate - len(have), 0))
        if missing > 0:
            short.append((candidate, f"还差 {missing} 名无利害关系的专家"))
    notify_each([([expert.user], f"您有 {count} 份新的评审任务", "/judging/") for expert, count in given.items()],
                kind="expert_assigned")
    return made, short


@transaction.atomic
def set_committee(campaign, actor, award, experts):
    """The award's committee (评委会): automatic assignment draws only from its members."""
    ensure_office(actor, "只有评选工作办公室可以组建评委会")
    committee, _ = Committee.objects.get_or_create(campaign=campaign, award=award)
    committee.members.set(experts)
    audit.record("judging.committee.set", actor=actor, target=committee,
                 after={"award": award.key, "members": sorted(str(e) for e in experts)})
    return committee


def for_expert(user):
    return Assignment.objects.filter(expert__user=user).select_related(
        "sheet", "candidate__application__award", "candidate__application__community", "expert__user")


def parse_scores(campaign, items, scores):
    """{key: Decimal} or ValidationError with a message per bad field (nothing is saved)."""
    places = spec(campaign).score_decimals
    quantum = Decimal(1).scaleb(-places)
    limits = {i["key"]: i["max"] for i in items}
    if not isinstance(scores, dict):
        raise ValidationError({"scores": "评分格式不正确"})
    errors, parsed = {}, {}
    for key, value in scores.items():
        if key not in limits:
            errors[str(key)[:40]] = "评分标准中没有这一项"
            continue
        text = value if isinstance(value, str) else ("" if value is None or isinstance(value, bool) else str(value))
        text = text.strip()
        if text == "":
            errors[key] = "请填写分数（未评的项目不要提交）"
            continue
        if not SCORE.match(text):
            errors[key] = f"须为 0 至 {limits[key]} 之间的数字（最多 {places} 位小数）"
            continue
        number = Decimal(text)
        if number != number.quantize(quantum):
            errors[key] = f"最多保留 {places} 位小数"
        elif not Decimal(0) <= number <= limits[key]:
            errors[key] = f"须在 0 至 {limits[key]} 分之间"
        else:
            parsed[key] = number.quantize(quantum)
    if errors:
        raise ValidationError(errors)
    return parsed


@transaction.atomic
def save_sheet(assignment, actor, *, scores, comments=None, version, photos=()):
    """Save scores (comments, and cleaned photos as (item key, image)) if `version` is the
    sheet's current one; returns the sheet."""
    if assignment.expert.user_id != actor.pk:
        raise PermissionDenied("只能填写分配给您的评分表")
    campaign = assignment.campaign
    clock.require_open(campaign, SCORING)
    sheet = Sheet.objects.select_for_update().get(assignment=assignment)
    if sheet.submitted_at:
        raise Conflict("评分表已提交，如需修改请联系评选工作办公室")
    if sheet.version != version:
        raise StaleSheet(sheet.version)
    items = rubric(campaign, assignment.candidate.application.award.key)
    parsed = parse_scores(campaign, items, scores)
    comments = {k: str(v)[:500] for k, v in (comments or {}).items() if k in {i["key"] for i in items}}
    merged = {**sheet.scores, **{k: str(v) for k, v in parsed.items()}}
    updated = Sheet.objects.filter(pk=sheet.pk, version=version).update(
        scores=merged, comments={**sheet.comments, **comments}, version=F("version") + 1, saved_at=timezone.now())
    if not updated:
        raise StaleSheet(Sheet.objects.get(pk=sheet.pk).version)
    sheet.refresh_from_db()
    for key, image in photos:
        if key in {i["key"] for i in items}:
            SheetPhoto.objects.create(sheet=sheet, item=key, image=image)
    audit.record("judging.sheet.saved", actor=actor, target=sheet, after={"version": sheet.version,
                                                                           "items": sorted(parsed),
                                                                           "photos": len(photos)})
    return sheet


@transaction.atomic
def submit_sheet(assignment, actor):
    if assignment.expert.user_id != actor.pk:
        raise PermissionDenied("只能提交分配给您的评分表")
    clock.require_open(assignment.campaign, SCORING)
    sheet = Sheet.objects.select_for_update().get(assignment=assignment)
    if sheet.submitted_at:
        raise Conflict("评分表已提交")
    items = rubric(assignment.campaign, assignment.candidate.application.award.key)
    missing = [i["name"] for i in items if i["key"] not in sheet.scores]
    if missing:
        raise ValidationError(f"还有 {len(missing)} 项未评分：{'、'.join(missing)}")
    sheet.total = sum((Decimal(sheet.scores[i["key"]]) for i in items), Decimal(0))
    sheet.submitted_at = timezone.now()
    sheet.save(update_fields=["total", "submitted_at"])
    audit.record("judging.sheet.submitted", actor=actor, target=sheet, after={"total": str(sheet.total)})
    resolve(f"judging.assignment.{assignment.pk}")
    if not Assignment.objects.filter(campaign=assignment.campaign, expert=assignment.expert,
                                     sheet__submitted_at__isnull=True).exclude(pk=assignment.pk).exists():
        resolve(f"judging.expert.{assignment.expert_id}.sheets")  # the reminders are answered
    return sheet


@transaction.atomic
def request_reopen(sheet, actor, reason):
    ensure_office(actor, "只有评选工作办公室可以重新开放评分表")
    if not sheet.submitted_at:
        raise Conflict("评分表尚未提交")
    if not reason.strip():
        raise ValidationError("请填写重新开放的原因")
    if sheet.reopens.filter(state=Reopen.State.PENDING).exists():
        raise Conflict("已有待批准的重新开放申请")
    reopen = Reopen.objects.create(sheet=sheet, reason=reason.strip(), requested_by=actor)
    audit.record("judging.reopen.requested", actor=actor, target=sheet, reason=reason)
    return reopen


@transaction.atomic
def approve_reopen(reopen, actor):
    ensure_office(actor, "只有评选工作办公室可以批准")
    reopen = Reopen.objects.select_for_update().get(pk=reopen.pk)
    if reopen.state != Reopen.State.PENDING:
        raise Conflict("该申请已处理")
    if reopen.requested_by_id == actor.pk:
        raise PermissionDenied("须由另一名评选工作办公室成员批准")
    reopen.state, reopen.approved_by = Reopen.State.APPLIED, actor
    reopen.save(update_fields=["state", "approved_by"])
    Sheet.objects.filter(pk=reopen.sheet_id).update(submitted_at=None, total=None, version=F("version") + 1)
    audit.record("judging.reopen.approved", actor=actor, target=reopen.sheet, reason=reopen.reason)
    return reopen


def progress(campaign):
    """[(expert, assigned, submitted)] for the office."""
    rows = (Expert.objects.annotate(assigned=Count("assignments", filter=Q(assignments__campaign=campaign)),
                                    done=Count("assignments", filter=Q(assignments__campaign=campaign,
                                                                       assignments__sheet__submitted_at__isnull=False)))
            .select_related("user").order_by("user__username"))
    return [(e, e.assigned, e.done) for e in rows]


def remind(campaign):
    """Notify every expert with sheets not yet submitted; returns how many were reminded."""
    reminded = 0
    for expert, assigned, done in progress(campaign):
        if assigned > done:
            notify([expert.user], f"您还有 {assigned - done} 份评分表未提交", "/judging/", kind="expert_reminded",
                   key=f"judging.expert.{expert.pk}.sheets")
            reminded += 1
    return reminded
