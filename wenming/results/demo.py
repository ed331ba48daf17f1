"""Demo results: computed, agreed by the award's committee (its experts), and published for every award
(the clock must be in the results phase). The first award's result is then corrected: a review
after publication invalidates a cluster of its leader's votes, and the recomputed result is
published over the first, which stays in the public history."""

import json

from django.db.models import Count

from wenming.campaigns.models import AwardCategory
from wenming.core.models import User
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
    award = AwardCategory.objects.filter(campaign=campaign).order_by("pk").first()
    if award is None or Run.objects.filter(award=award, state=Run.State.SUPERSEDED).exists():
        return
    correct(campaign, award, office, second)


def publish(campaign, award, office, second, reason=""):
    run = services.compute(campaign, award, office)
    for member in services.committee(campaign, award)[: services.quorum(campaign, award)]:
        services.confirm(campaign, run, member, opinion="同意按评分标准计算的结果")
    return services.publish(campaign, run, office, reason)


def correct(campaign, award, office, second):
    leader = json.loads(services.published(campaign, award.key).body)[0]["candidate_id"]
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
