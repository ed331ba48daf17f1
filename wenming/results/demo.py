"""Demo results: computed, agreed by the award's committee (its experts), and published for every award
(the clock must be in the results phase). The first award's result is then corrected: a review
after publication invalidates a cluster of its leader's votes, and the recomputed result is
published over the first, which stays in the public history. A resident's objection (公示异议)
to that first result is upheld and answered by the correction; a company's objection to another
award's result is dismissed."""

import json

from django.db.models import Count
from django.utils import timezone

from wenming.awards.models import Showcase
from wenming.campaigns.models import AwardCategory
from wenming.core.models import Resident, User
from wenming.results import services
from wenming.results.models import Run
from wenming.voting import review
from wenming.voting.models import FraudDecision, Vote, VoteStatus
from wenming.voting.services import net24

CORRECTION = "公布后复核发现第一名存在同一网段集中投票，经核查作废后重新计算"


def build(campaign):
    office, second = User.objects.get(username="office"), User.objects.get(username="office2")
    for award in AwardCategory.objects.filter(campaign=campaign):
        if Run.objects.filter(award=award, state__in=[Run.State.PUBLISHED, Run.State.SUPERSEDED]).exists():
            continue
        publish(campaign, award, office, second)
    awards = list(AwardCategory.objects.filter(campaign=campaign).order_by("pk"))
    if not awards or Run.objects.filter(award=awards[0], state=Run.State.SUPERSEDED).exists():
        return
    correct(campaign, awards[0], office, second)
    if len(awards) > 1:
        dismissed(campaign, awards[1], office)
    services.build_bundle(campaign, office)


def publish(campaign, award, office, second, reason=""):
    run = services.compute(campaign, award, office)
    for member in services.committee(campaign, award)[: services.quorum(campaign, award)]:
        services.confirm(campaign, run, member, opinion="同意按评分标准计算的结果")
    return services.publish(campaign, run, office, reason)


def correct(campaign, award, office, second):
    run = services.published(campaign, award.key)
    leader = json.loads(run.body)[0]["candidate_id"]
    resident, _ = Resident.objects.get_or_create(phone="13905180001", defaults={
        "consent_version": campaign.privacy_notice_version, "consented_at": timezone.now()})
    objection = services.file_objection(
        campaign, run, name="王女士", resident=resident, candidate=Showcase.objects.get(pk=leader),
        reason="投票期间小区群里有人组织用同一批手机号集中投票，第一名的票数不真实，请核查。")
    services.decide_objection(campaign, objection, office, upheld=True,
                              answer="经核查，该候选有一个网段的集中投票属刷票，相关选票作废后重新计算并更正公布。")
    ips = (Vote.objects.filter(candidate_id=leader, status=VoteStatus.COUNTED).values("ip")
           .annotate(n=Count("id")).order_by("-n", "ip"))
    if not ips:
        return
    votes = Vote.objects.filter(candidate_id=leader, status=VoteStatus.COUNTED).select_related("candidate").first()
    decision = review.decide(campaign, candidate=votes.candidate, network=net24(ips[0]["ip"]), action="invalidate",
                             reason="公布后复核：同一网段集中投票，核查为刷票", actor=office)
    if decision.state == FraudDecision.State.PENDING:
        review.approve(decision, actor=second)
    publish(campaign, award, office, second, CORRECTION)


def dismissed(campaign, award, office):
    run = services.published(campaign, award.key)
    company_user = User.objects.filter(username="company2").first()
    if company_user is None:
        return
    objection = services.file_objection(
        campaign, run, name=company_user.company.name, actor=company_user,
        reason="我司推荐的人员专家评分偏低，请复核专家评分是否按评分标准打分。")
    services.decide_objection(campaign, objection, office, upheld=False,
                              answer="经复核专家评分表，各项评分均有扣分说明，符合评分标准，异议不成立。")
