"""Computing, confirming, publishing and verifying results. Inputs are gathered with one
query per source (vote counts after fraud review, survey responses, submitted expert sheets),
so computing an award is a few queries whatever the number of votes."""

import datetime
import hashlib
import json
from fractions import Fraction

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from wenming.awards.models import Showcase, Status
from wenming.campaigns import clock
from wenming.campaigns.presets import HonourSpec, ScoringSpec
from wenming.core import audit
from wenming.core.access import ensure_office, is_office
from wenming.core.errors import Conflict
from wenming.core.notifications import notify
from wenming.core.roles import Role
from wenming.core.uploads import clean_scan
from wenming.judging.models import Assignment, Sheet
from wenming.results import scoring
from wenming.results.models import Confirmation, Honour, Matching, MissingSheet, Objection, Run
from wenming.surveys import services as surveys
from wenming.voting.models import Vote, VoteStatus

PUBLISH = clock.gate("publish_results", "results.services.publish")


def rules(campaign):
    return campaign.typed_rules.scoring


def candidates(campaign, award):
    return (Showcase.objects.filter(application__campaign=campaign, application__award=award,
                                    application__status=Status.CANDIDATE)
            .select_related("application__community").order_by("pk"))


def blockers(campaign, award, now=None):
    """Why computing is refused now: voting still open; assigned sheets not submitted and not excused."""
    now = now or timezone.now()
    found = []
    _, _, closes = clock.window(campaign, "vote")
    if now < closes:
        found.append(f"投票尚未结束（{clock.display_end(closes, campaign.tz)} 截止）")
    pending = (Assignment.objects.filter(candidate__application__award=award, campaign=campaign,
                                         sheet__submitted_at__isnull=True, missing__isnull=True)
               .select_related("expert__user", "candidate"))
    for a in pending[:5]:
        found.append(f"{a.expert} 对“{a.candidate.title}”的评分表尚未提交")
    if pending.count() > 5:
        found.append(f"另有 {pending.count() - 5} 份评分表尚未提交")
    return found


def gather(campaign, award):
    """The raw inputs of every candidate, as plain data (what the input hash covers)."""
    shown = list(candidates(campaign, award))
    ids = [c.pk for c in shown]
    votes = dict(Vote.objects.filter(candidate_id__in=ids, status=VoteStatus.COUNTED).values_list("candidate_id")
                 .annotate(n=Count("id")).values_list("candidate_id", "n"))
    experts = {}
    for candidate_id, total in (Sheet.objects.filter(assignment__candidate_id__in=ids, submitted_at__isnull=False)
                                .order_by("assignment__candidate_id", "assignment__expert_id")
                                .values_list("assignment__candidate_id", "total")):
        experts.setdefault(candidate_id, []).append(str(total))
    answers = {}
    if "survey" in award.weights:  # counted responses only: flagged ones wait for the office's release
        answers = surveys.counted_answers(campaign, [c.application.community_id for c in shown
                                                     if c.application.community_id])
    items = []
    for c in shown:
        community = c.application.community
        item = {"id": c.pk, "name": c.title, "votes": votes.get(c.pk, 0), "experts": experts.get(c.pk, [])}
        if "survey" in award.weights:
            item["survey"] = {"answers": answers.get(community.pk, []) if community else [],
                              "households": community.occupied_households if community else 0}
        items.append(item)
    return {"award": award.key, "weights": award.weights, "rule_version": campaign.rules_version,
            "scoring": rules(campaign).model_dump(mode="json"),
            "survey_spec": campaign.typed_rules.survey.model_dump(mode="json"), "candidates": items}


def compute_from(inputs):
    """Sheets (ranked, canonical JSON) from the gathered inputs alone."""
    scoring_rules = ScoringSpec.model_validate(inputs["scoring"])
    places = scoring_rules.decimals
    most = max((c["votes"] for c in inputs["candidates"]), default=0)
    sheets = []
    for c in inputs["candidates"]:
        points, raw = {}, {}
        points["vote"] = scoring.vote_points(c["votes"], most)
        raw["vote"] = {"valid_votes": c["votes"], "most_in_award": most}
        points["expert"], dropped = scoring.expert_points(c["experts"], scoring_rules.expert_drop_extremes_from)
        raw["expert"] = {"scores": c["experts"], "dropped": [scoring.round_half_up(d, 1) for d in dropped],
                         "spread": (scoring.round_half_up(max(Fraction(x) for x in c["experts"]) -
                                                          min(Fraction(x) for x in c["experts"]), 1)
                                    if c["experts"] else "0.0")}
        if "survey" in c:
            value, survey_raw = surveys.points_from(inputs["survey_spec"], c["survey"]["answers"], c["survey"]["households"])
            points["survey"] = value or Fraction(0)
            raw["survey"] = survey_raw
        sheets.append(scoring.sheet(c, inputs["weights"], points, raw, places))
    ranked = scoring.rank(sheets, scoring_rules.tie_break)
    return scoring.canonical([scoring.public(s) for s in ranked])


@transaction.atomic
def compute(campaign, award, actor, now=None):
    ensure_office(actor, "只有评选工作办公室可以计算结果")
    found = blockers(campaign, award, now)
    if found:
        raise Conflict("暂不能计算：" + "；".join(found))
    inputs = gather(campaign, award)
    text = scoring.canonical(inputs)
    run = Run.objects.create(campaign=campaign, award=award, rule_version=campaign.rules_version,
                             input_hash=hashlib.sha256(text.encode()).hexdigest(), inputs=text,
                             body=compute_from(inputs), computed_by=actor)
    audit.record("results.computed", actor=actor, target=run, after={"award": award.key, "input_hash": run.input_hash})
    return run


def committee(campaign, award):
    """The award's committee (seed 五 评选工作委员会): the experts assigned to its candidates."""
    from wenming.core.models import User

    return (User.objects.filter(expert_profile__assignments__campaign=campaign,
                                expert_profile__assignments__candidate__application__award=award)
            .distinct().order_by("pk"))


def quorum(campaign, award):
    """How many of the award's committee members must agree: the preset's quorum, or all of
    them when the committee is smaller."""
    return min(rules(campaign).committee_quorum, committee(campaign, award).count()) or 1


def tally(run):
    """(agreeing, disagreeing) committee opinions of a run."""
    agree = sum(1 for c in run.confirmations.all() if c.agree)
    return agree, run.confirmations.count() - agree


def awaiting_opinion(campaign, user):
    """The awards whose latest run is in preview and waits for this committee member's opinion."""
    waiting = []
    for award in campaign.awards.all():
        run = Run.objects.filter(award=award).first()
        if (run and run.state == Run.State.PREVIEW and committee(campaign, award).filter(pk=user.pk).exists()
                and not run.confirmations.filter(member=user).exists()):
            waiting.append(award)
    return waiting


@transaction.atomic
def confirm(campaign, run, actor, agree=True, opinion=""):
    """One committee member's opinion of a previewed run. The run is confirmed once `quorum`
    members agree and more agree than disagree; a member who disagrees says why."""
    run = Run.objects.select_for_update().select_related("award").get(pk=run.pk)
    if not committee(campaign, run.award).filter(pk=actor.pk).exists():
        raise PermissionDenied("只有本奖项评选工作委员会的委员（评审专家）可以确认结果")
    if run.state != Run.State.PREVIEW:
        raise Conflict("该结果已确认或已公布")
    opinion = opinion.strip()
    if not agree and not opinion:
        raise ValidationError({"opinion": "不同意时请写明意见"})
    if Confirmation.objects.filter(run=run, member=actor).exists():
        raise Conflict("您已对该结果发表过意见")
    Confirmation.objects.create(run=run, member=actor, agree=agree, opinion=opinion)
    agreeing, disagreeing = tally(run)
    if agreeing >= quorum(campaign, run.award) and agreeing > disagreeing:
        run.state = Run.State.CONFIRMED
        run.save(update_fields=["state"])
    audit.record("results.confirmed" if agree else "results.disputed", actor=actor, target=run, reason=opinion,
                 after={"agree": agree, "state": run.state, "agreeing": agreeing, "disagreeing": disagreeing})
    return run


@transaction.atomic
def publish(campaign, run, actor, reason=""):
    """Publish a confirmed run. When the award already has a published run, this is a
    correction: a reason is required, the old run becomes superseded (kept, with its honours, on
    record and in the public history) and the honours follow the new run."""
    ensure_office(actor, "只有评选工作办公室可以公布结果")
    run = Run.objects.select_for_update().get(pk=run.pk)
    if run.state != Run.State.CONFIRMED:
        raise Conflict("须经评委会确认后才能公布")
    clock.require_open(campaign, PUBLISH)
    if gather_hash(campaign, run.award) != run.input_hash:
        raise Conflict("确认后原始数据有变动，请重新计算并确认")
    current = Run.objects.select_for_update().filter(award=run.award, state=Run.State.PUBLISHED).first()
    reason = reason.strip()
    now = timezone.now()
    if current is not None:
        if not reason:
            raise ValidationError({"reason": "更正公布须填写更正原因"})
        current.state, current.superseded_at = Run.State.SUPERSEDED, now
        current.save(update_fields=["state", "superseded_at"])
        audit.record("results.superseded", actor=actor, target=current, reason=reason,
                     before={"state": Run.State.PUBLISHED}, after={"state": current.state, "by_run": run.pk})
    run.state, run.published_at = Run.State.PUBLISHED, now
    run.supersedes, run.correction_reason = current, reason if current else ""
    run.save(update_fields=["state", "published_at", "supersedes", "correction_reason"])
    if current is not None:  # the objections upheld against the replaced runs are now resolved
        Objection.objects.filter(run__award=run.award, state=Objection.State.UPHELD,
                                 corrected_by__isnull=True).update(corrected_by=run)
    audit.record("results.published", actor=actor, target=run, reason=run.correction_reason,
                 after={"input_hash": run.input_hash, "supersedes": current.pk if current else None})
    _honour(campaign, run, actor, replaced=current)
    return run


def honour_spec(campaign, award_key):
    for award in campaign.typed_rules.awards:
        if award.key == award_key:
            return award.honours
    return HonourSpec()


def credit_key(run, candidate_id):
    """One credit-file entry per award and winner, whichever run (first or corrected) names them."""
    return f"results:{run.award_id}:{candidate_id}"


def _honour(campaign, run, actor, replaced=None):
    """Seed 六: the winners (rank ≤ `honours.winners`, ties at the line included) get the
    award's funding; each of their districts a 1:1 matching task; each winner's company a
    credit-file entry (once per award and candidate). After a correction, a winner the new run
    no longer names loses that entry (revoked, with the reason); a district's matching already
    recorded for the same winners and amount carries over."""
    from wenming.credit import services as credit
    from wenming.credit.models import Source

    spec = honour_spec(campaign, run.award.key)
    places = spec.winners
    funding = spec.funding_yuan
    sheets = [s for s in json.loads(run.body) if s["rank"] <= places]
    shows = {s.pk: s for s in Showcase.objects.filter(pk__in=[s["candidate_id"] for s in sheets])
             .select_related("application__district", "application__company")}
    per_district = {}
    for s in sheets:
        show = shows[s["candidate_id"]]
        application = show.application
        Honour.objects.get_or_create(run=run, candidate=show, defaults={
            "rank": s["rank"], "funding_yuan": funding, "district": application.district,
            "company": application.company})
        count, amount = per_district.get(application.district_id, (0, 0))
        per_district[application.district_id] = (count + 1, amount + funding)
        if application.company_id and spec.credit_code:
            credit.record(campaign, application.company, spec.credit_code, source=Source.HONOUR,
                          source_key=credit_key(run, show.pk), actor=actor,
                          evidence=f"获评{run.award.name}（第 {s['rank']} 名）")
    earlier = {m.district_id: m for m in Matching.objects.filter(run=replaced)} if replaced else {}
    for district_id, (count, amount) in per_district.items():
        before = earlier.get(district_id)
        same = before is not None and before.done_at and (before.winners, before.amount_yuan) == (count, amount)
        Matching.objects.get_or_create(run=run, district_id=district_id, defaults={
            "winners": count, "amount_yuan": amount, **({"document": before.document, "done_by": before.done_by,
                                                          "done_at": before.done_at} if same else {})})
    if replaced is not None:
        for honour in Honour.objects.filter(run=replaced).exclude(candidate_id__in=shows).select_related("company"):
            if honour.company_id:
                credit.withdraw(honour.company, source=Source.HONOUR, source_key=credit_key(run, honour.candidate_id),
                                actor=actor, reason=f"{run.award.name}结果更正：{run.correction_reason}")
    audit.record("results.honoured", actor=actor, target=run,
                 after={"winners": [s["candidate_id"] for s in sheets], "funding_yuan": funding,
                        "districts": {str(k): v[0] for k, v in per_district.items()}})


@transaction.atomic
def complete_matching(matching, actor, document):
    """The district records its 1:1 commendation (document number); office or that district."""
    if not (actor.role == Role.DISTRICT and actor.district_id == matching.district_id) and not is_office(actor):
        raise PermissionDenied("只有本区住建局或评选工作办公室可以登记")
    matching = Matching.objects.select_for_update().get(pk=matching.pk)
    if matching.done_at:
        raise Conflict("该区配套表彰已登记完成")
    if not document.strip():
        raise ValidationError("请填写表彰文件文号")
    matching.document, matching.done_by, matching.done_at = document.strip(), actor, timezone.now()
    matching.save(update_fields=["document", "done_by", "done_at"])
    audit.record("results.matching.done", actor=actor, target=matching, after={"document": matching.document})
    return matching


def gather_hash(campaign, award):
    return hashlib.sha256(scoring.canonical(gather(campaign, award)).encode()).hexdigest()


@transaction.atomic
def excuse(assignment, actor, reason):
    ensure_office(actor, "只有评选工作办公室可以登记缺评原因")
    if not reason.strip():
        raise ValidationError("请填写缺评原因")
    missing, _ = MissingSheet.objects.get_or_create(assignment=assignment, defaults={"reason": reason.strip(),
                                                                                     "recorded_by": actor})
    audit.record("results.sheet_excused", actor=actor, target=assignment, reason=reason)
    return missing


def verify(run):
    """Recompute a published run from the database's raw data now: (ok, message)."""
    campaign = run.campaign
    inputs = gather(campaign, run.award)
    text = scoring.canonical(inputs)
    digest = hashlib.sha256(text.encode()).hexdigest()
    if digest != run.input_hash:
        return False, f"{run.award.name}：原始数据与公布时不一致（输入摘要 {digest[:12]}… ≠ {run.input_hash[:12]}…）"
    if compute_from(json.loads(text)) != run.body:
        return False, f"{run.award.name}：按原始数据重算的评分表与公布的不一致"
    return True, f"{run.award.name}：{len(json.loads(run.body))} 份评分表核验一致"


def published(campaign, award_key):
    return (Run.objects.filter(campaign=campaign, award__key=award_key, state=Run.State.PUBLISHED)
            .select_related("award").first())


def history(campaign, award):
    """The runs a correction replaced, newest first (each with the reason of the run that replaced it)."""
    return (Run.objects.filter(campaign=campaign, award=award, state=Run.State.SUPERSEDED)
            .select_related("superseded_by").order_by("-superseded_at", "-pk"))


# --- 公示异议 (objections during the publicity period) ---------------------------------------------

def objection_window(campaign, run):
    """(opens, closes) of a published run's publicity period: `scoring.objection_days` calendar
    days, the day of publication the first (half-open, in the campaign's time zone)."""
    days = rules(campaign).objection_days
    first = run.published_at.astimezone(campaign.tz).date()
    return run.published_at, clock.day_after(first + datetime.timedelta(days=days - 1), campaign.tz)


def objections_open(campaign, run, now=None):
    if run is None or run.state != Run.State.PUBLISHED:
        return False
    opens, closes = objection_window(campaign, run)
    return opens <= (now or timezone.now()) < closes


@transaction.atomic
def file_objection(campaign, run, *, name, reason, candidate=None, resident=None, actor=None, evidence=None):
    """A resident (verified phone) or a property company's user objects to a published result.
    One pending objection per filer and run; the office is notified."""
    run = Run.objects.select_for_update().select_related("award").get(pk=run.pk)
    if run.state == Run.State.SUPERSEDED:
        raise Conflict("该结果已被更正，请对更正后公布的结果提出异议")
    if run.state != Run.State.PUBLISHED:
        raise Conflict("结果尚未公布")
    opens, closes = objection_window(campaign, run)
    if not opens <= timezone.now() < closes:
        raise Conflict(f"{run.award.name}结果的公示期已于 {clock.display_end(closes, campaign.tz)} 结束，不再受理异议")
    company = None
    if actor is not None:
        if actor.role != Role.COMPANY or not actor.company_id:
            raise PermissionDenied("只有物业服务企业账号或经手机验证的居民可以提出异议")
        company = actor.company
    elif resident is None:
        raise PermissionDenied("请先验证手机号")
    errors = {}
    if not name.strip():
        errors["name"] = "请填写异议人姓名或单位名称"
    if len(reason.strip()) < 10:
        errors["reason"] = "请写明异议的事实和理由（至少 10 个字）"
    if candidate is not None and candidate.pk not in {s["candidate_id"] for s in json.loads(run.body)}:
        errors["candidate"] = "该候选不在本奖项的结果中"
    if errors:
        raise ValidationError(errors)
    mine = Objection.objects.filter(run=run, state=Objection.State.PENDING)
    if mine.filter(**({"company": company} if company else {"resident": resident})).exists():
        raise Conflict("您对该结果的异议正在处理中，请等待答复")
    objection = Objection(run=run, candidate=candidate, resident=resident, filed_by=actor, company=company,
                          name=name.strip(), reason=reason.strip())
    if evidence:
        clean = clean_scan(evidence, max_bytes=campaign.upload_limit(), label="证明材料")
        objection.evidence.save(clean.content.name, clean.content, save=False)  # a server-made name
    objection.save()
    audit.record("results.objection.filed", actor=actor, target=objection,
                 after={"award": run.award.name, "candidate": candidate.title if candidate else "",
                        "by": company.name if company else "居民"})
    from wenming.core.models import User

    notify(User.objects.filter(role=Role.OFFICE), f"{run.award.name}结果收到{objection}，请在公示期内处理",
           "/results/objections/")
    return objection


@transaction.atomic
def decide_objection(campaign, objection, actor, *, upheld, answer):
    """The office answers an objection; an upheld one is resolved by publishing a corrected run."""
    ensure_office(actor, "只有评选工作办公室可以处理异议")
    objection = Objection.objects.select_for_update().select_related("run__award").get(pk=objection.pk)
    if objection.state != Objection.State.PENDING:
        raise Conflict(f"{objection}已处理")
    if len(answer.strip()) < 5:
        raise ValidationError({"answer": "请写明处理意见（至少 5 个字），将公开显示"})
    objection.state = Objection.State.UPHELD if upheld else Objection.State.DISMISSED
    objection.answer, objection.decided_by, objection.decided_at = answer.strip(), actor, timezone.now()
    objection.save(update_fields=["state", "answer", "decided_by", "decided_at"])
    audit.record("results.objection.decided", actor=actor, target=objection, reason=objection.answer,
                 before={"state": Objection.State.PENDING}, after={"state": objection.state})
    if objection.filed_by_id:
        notify([objection.filed_by], f"您的{objection}已处理：{objection.get_state_display()}", "/results/")
    return objection


def public_objections(campaign, award):
    """The objections to an award's results as the public page shows them (no names, no phones)."""
    return (Objection.objects.filter(run__campaign=campaign, run__award=award)
            .select_related("candidate", "corrected_by").order_by("pk"))


def build_bundle(campaign, actor=None):
    """The checkers' bundle (results.bundle) rebuilt from what is published now; audited."""
    from wenming.results import bundle

    if actor is not None:
        ensure_office(actor, "只有评选工作办公室可以生成核验数据包")
    path, runs = bundle.build(campaign)
    audit.record("results.bundle.built", actor=actor, target=campaign,
                 after={"awards": [run.award.key for run in runs], "bytes": path.stat().st_size})
    return path
