"""Every state change of the credit file. Rules (base, grades, point values, validity, list
criteria, objection days) are the campaign preset's `credit` section."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from wenming.core import approvals, audit, workdays
from wenming.core.access import ensure_office
from wenming.core.errors import Conflict
from wenming.core.notifications import notify
from wenming.core.roles import Role
from wenming.credit.models import CreditList, CreditRecord, ListApproval, ListEntry, Objection, RecordState, Source


def rules(campaign):
    return campaign.typed_rules.credit


def rule(campaign, code):
    for item in rules(campaign).rules:
        if item.code == code:
            return item
    raise ValidationError(f"信用规则中没有代码“{code}”")


def _months_later(moment, months):
    year, month = divmod(moment.month - 1 + months, 12)
    day = min(moment.day, [31, 29 if (moment.year + year) % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month])
    return moment.replace(year=moment.year + year, month=month + 1, day=day)


def record(campaign, company, code, *, source, source_key, evidence="", actor=None, at=None, points=None,
           veto=False, name=None):
    """Add a record by a rule code (points from the rules unless given for a manual entry).
    Idempotent per (company, source, source_key): returns (record, created)."""
    at = at or timezone.now()
    if veto:
        if name not in rules(campaign).vetoes:
            raise ValidationError("一票否决事项须为信用规则中列明的事项")
        rule_name, rule_points = name, 0
    else:
        item = rule(campaign, code)
        rule_name, rule_points = item.name, item.points
    points = rule_points if points is None else points
    validity = rules(campaign).validity_months
    months = validity.positive if points > 0 else validity.negative
    existing = CreditRecord.objects.filter(company=company, source=source, source_key=source_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            entry = CreditRecord.objects.create(
                company=company, code=code, name=name or rule_name, points=points, veto=veto, source=source,
                source_key=source_key, evidence=evidence, valid_from=at, valid_until=_months_later(at, months),
                created_by=actor)
            audit.record("credit.record.created", actor=actor, target=entry,
                         after={"company": company.name, "code": code, "points": points, "veto": veto,
                                "source": source, "source_key": source_key})
    except IntegrityError:  # the same event delivered concurrently: the first one stands
        return CreditRecord.objects.get(company=company, source=source, source_key=source_key), False
    return entry, True


@transaction.atomic
def withdraw(company, *, source, source_key, actor, reason):
    """The source event was withdrawn (a corrected result no longer names the winner): its record
    stops counting (revoked) and stays in the file with the reason. None when there is none."""
    entry = (CreditRecord.objects.select_for_update()
             .filter(company=company, source=source, source_key=source_key).exclude(state=RecordState.REVOKED).first())
    if entry is None:
        return None
    before = entry.state
    entry.state = RecordState.REVOKED
    entry.save(update_fields=["state"])
    audit.record("credit.record.withdrawn", actor=actor, target=entry, before={"state": before},
                 after={"state": entry.state}, reason=reason)
    return entry


def record_manual(campaign, company, *, code, evidence, actor, veto_name=""):
    ensure_office(actor, "只有评选工作办公室可以录入信用记录")
    if not evidence.strip():
        raise ValidationError("请填写依据")
    key = f"manual:{timezone.now().isoformat()}:{actor.pk}"
    if veto_name:
        return record(campaign, company, "VETO", source=Source.MANUAL, source_key=key, evidence=evidence, actor=actor,
                      veto=True, name=veto_name)[0]
    return record(campaign, company, code, source=Source.MANUAL, source_key=key, evidence=evidence, actor=actor)[0]


@dataclass(frozen=True)
class Standing:
    score: int
    grade: str
    veto: bool
    negative: bool  # any negative record counting at that time


def _counting(company, at):
    return CreditRecord.objects.filter(company=company, state=RecordState.ACTIVE, valid_from__lte=at,
                                       valid_until__gt=at)


def grade_for(campaign, score, veto):
    grades = rules(campaign).grades
    if veto:
        return grades[-1].grade
    for g in grades:
        if g.min is None or score >= g.min:
            return g.grade
    return grades[-1].grade


def standing(campaign, company, at=None):
    """Score and grade as of `at`: base + the points of records valid then (disputed and
    revoked records do not count); any veto → the lowest grade."""
    at = at or timezone.now()
    rows = list(_counting(company, at).values_list("points", "veto"))
    score = rules(campaign).base + sum(p for p, _ in rows)
    veto = any(v for _, v in rows)
    return Standing(score, grade_for(campaign, score, veto), veto, any(p < 0 for p, _ in rows))


def standings(campaign, companies, at=None):
    """{company_id: Standing} for many companies in one query."""
    at = at or timezone.now()
    base = rules(campaign).base
    acc = {c.pk: [base, False, False] for c in companies}
    for company_id, points, veto in (CreditRecord.objects.filter(company__in=list(acc), state=RecordState.ACTIVE,
                                                                 valid_from__lte=at, valid_until__gt=at)
                                     .values_list("company_id", "points", "veto")):
        acc[company_id][0] += points
        acc[company_id][1] |= veto
        acc[company_id][2] |= points < 0
    return {cid: Standing(s, grade_for(campaign, s, v), v, n) for cid, (s, v, n) in acc.items()}


# --- red/black list -----------------------------------------------------------------------------

def period_end(period, tz):
    year, month = (int(x) for x in period.split("-"))
    first = datetime.datetime(year, month, 1, tzinfo=tz)
    return _months_later(first, 1)


@transaction.atomic
def compute_list(campaign, period, actor, companies):
    """A draft list for the period, as of its end (or now, if the period has not ended)."""
    ensure_office(actor, "只有评选工作办公室可以生成红黑榜")
    try:
        end = period_end(period, campaign.tz)
    except (ValueError, TypeError):
        raise ValidationError("期次格式应为“年-月”，如 2026-11") from None
    as_of = min(end, timezone.now())
    spec = rules(campaign).lists
    red, black = set(spec.red_grades), set(spec.black_grades)
    CreditList.objects.filter(campaign=campaign, period=period, state=CreditList.State.DRAFT).delete()
    credit_list = CreditList.objects.create(campaign=campaign, period=period, as_of=as_of, computed_by=actor)
    entries = []
    result = standings(campaign, companies, as_of)
    for company in companies:
        s = result[company.pk]
        if s.veto or s.grade in black:
            entries.append(ListEntry(credit_list=credit_list, company=company, kind=ListEntry.Kind.BLACK, score=s.score,
                                     grade=s.grade, reason="一票否决" if s.veto else f"信用等级 {s.grade}"))
        elif s.grade in red and not s.negative:
            entries.append(ListEntry(credit_list=credit_list, company=company, kind=ListEntry.Kind.RED, score=s.score,
                                     grade=s.grade, reason=f"信用等级 {s.grade}，期内无不良记录"))
    ListEntry.objects.bulk_create(entries)
    audit.record("credit.list.computed", actor=actor, target=credit_list,
                 after={"period": period, "red": sum(e.kind == "red" for e in entries),
                        "black": sum(e.kind == "black" for e in entries)})
    return credit_list


@transaction.atomic
def approve_list(campaign, credit_list, actor):
    """One office member's approval; with `approvers` distinct members the list is published
    and each black entry restricts the company until `black_restriction_months` later."""
    ensure_office(actor, "只有评选工作办公室可以审批发布红黑榜")
    credit_list = CreditList.objects.select_for_update().get(pk=credit_list.pk)
    if credit_list.state != CreditList.State.DRAFT:
        raise Conflict("该榜单已发布")
    count = approvals.add_distinct(ListApproval, member_field="approver", actor=actor, credit_list=credit_list,
                                   refusal="您已审批过该榜单，须由另一名成员审批")
    audit.record("credit.list.approved", actor=actor, target=credit_list, after={"period": credit_list.period})
    spec = rules(campaign).lists
    if count < spec.approvers:
        return credit_list
    now = timezone.now()
    credit_list.state, credit_list.published_at = CreditList.State.PUBLISHED, now
    credit_list.save(update_fields=["state", "published_at"])
    credit_list.entries.filter(kind=ListEntry.Kind.BLACK).update(
        restricted_until=_months_later(now, spec.black_restriction_months))
    audit.record("credit.list.published", actor=actor, target=credit_list, after={"period": credit_list.period})
    return credit_list


def published_lists():
    return CreditList.objects.filter(state=CreditList.State.PUBLISHED)


def _restrictions(at):
    return (ListEntry.objects.select_related("credit_list")
            .filter(kind=ListEntry.Kind.BLACK, credit_list__state=CreditList.State.PUBLISHED,
                    credit_list__published_at__lte=at, restricted_until__gt=at)
            .order_by("-restricted_until"))


def restriction(company, at=None):
    """The black-list entry restricting the company at `at` (published, not yet ended), or None."""
    return _restrictions(at or timezone.now()).filter(company=company).first()


def black_list_refusal(company, campaign, at):
    """Why the company may not apply for an award now (it is on the black list), or None: awards asks."""
    entry = restriction(company, at)
    if entry is None:
        return None
    until = timezone.localtime(entry.restricted_until, campaign.tz).strftime("%Y年%m月%d日 %H:%M")
    return (f"“{company.name}”列入 {entry.credit_list.period} 期物业行业黑名单（{entry.reason}），"
            f"限制期至 {until}，期间不得参加评优评先")


# --- objections -----------------------------------------------------------------------------------

@transaction.atomic
def file_objection(campaign, credit_record, actor, *, reason, evidence=None):
    if not (actor.role == Role.COMPANY and actor.company_id == credit_record.company_id):
        raise PermissionDenied("只有被记录的企业可以提出异议")
    credit_record = CreditRecord.objects.select_for_update().get(pk=credit_record.pk)
    if credit_record.state != RecordState.ACTIVE:
        raise Conflict("该记录已在异议中或已撤销")
    spec = rules(campaign).objection
    if workdays.workdays_between(timezone.localdate(credit_record.created_at, campaign.tz),
                                 timezone.localdate(timezone.now(), campaign.tz)) > spec.file_within_workdays:
        raise ValidationError(f"已超过异议期限（记录后 {spec.file_within_workdays} 个工作日内）")
    if not reason.strip():
        raise ValidationError("请填写异议理由")
    objection = Objection.objects.create(
        record=credit_record, reason=reason, evidence=evidence or "", filed_by=actor,
        decide_by=timezone.localdate(timezone.now(), campaign.tz) + datetime.timedelta(
            days=spec.decide_within_days))
    credit_record.state = RecordState.DISPUTED
    credit_record.save(update_fields=["state"])
    audit.record("credit.objection.filed", actor=actor, target=objection, after={"record": credit_record.pk})
    from wenming.core.models import User

    transaction.on_commit(lambda: notify(User.objects.filter(role=Role.OFFICE, is_active=True),
                                         f"{credit_record.company} 对信用记录“{credit_record.name}”提出异议", ""))
    return objection


@transaction.atomic
def decide_objection(objection, actor, *, upheld, decision):
    ensure_office(actor, "只有评选工作办公室可以处理异议")
    objection = Objection.objects.select_for_update(of=("self",)).select_related("record").get(pk=objection.pk)
    if objection.state != Objection.State.PENDING:
        raise Conflict("该异议已处理")
    if not decision.strip():
        raise ValidationError("请填写处理意见")
    objection.state = Objection.State.UPHELD if upheld else Objection.State.REJECTED
    objection.decided_by, objection.decided_at, objection.decision = actor, timezone.now(), decision
    objection.save(update_fields=["state", "decided_by", "decided_at", "decision"])
    objection.record.state = RecordState.REVOKED if upheld else RecordState.ACTIVE
    objection.record.save(update_fields=["state"])
    audit.record("credit.objection.decided", actor=actor, target=objection,
                 after={"state": objection.state, "record_state": objection.record.state}, reason=decision)
    return objection


def overdue_objections(campaign, today=None):
    today = today or timezone.localdate(timezone.now(), campaign.tz)
    return Objection.objects.filter(state=Objection.State.PENDING, decide_by__lt=today)


def bidding_rows(campaign, companies, at=None):
    """Rows for the bidding export: grade, list status and bonus points of each company."""
    at = at or timezone.now()
    result = standings(campaign, companies, at)
    latest = published_lists().filter(campaign=campaign).first()
    kinds = dict(latest.entries.values_list("company_id", "kind")) if latest else {}
    honours = {}
    for company_id, points in (CreditRecord.objects.filter(company__in=companies, source=Source.HONOUR,
                                                           state=RecordState.ACTIVE, valid_from__lte=at,
                                                           valid_until__gt=at).values_list("company_id", "points")):
        honours[company_id] = honours.get(company_id, 0) + points
    restricted_until = {}
    for entry in _restrictions(at).filter(company__in=companies):
        restricted_until.setdefault(entry.company_id, entry.restricted_until)  # the latest end first
    rows = []
    for company in companies:
        s = result[company.pk]
        rows.append({"company": company, "score": s.score, "grade": s.grade, "list": kinds.get(company.pk, ""),
                     "restricted_until": restricted_until.get(company.pk),
                     "bonus": honours.get(company.pk, 0)})
    return rows


def history(company):
    return CreditRecord.objects.filter(company=company).select_related("created_by").prefetch_related("objections")
