"""Eligibility from the registry, never from the applicant's claims. The rules are the
award's `eligibility` in the campaign preset; each refusal names the rule and the numbers.

The company's standing is credit's answer: awards asks the credit file (a black-listed company
cannot apply; DESIGN: awards may ask credit, credit asks nobody above it)."""

from django.utils import timezone

from wenming.awards.models import LIVE_STATUSES, Application
from wenming.campaigns.presets import Eligibility
from wenming.credit import services as credit
from wenming.registry.models import Post


def _years_months(months):
    years, rest = divmod(months, 12)
    if years and rest:
        return f"{years} 年 {rest} 个月"
    return f"{years} 年" if years else f"{rest} 个月"


def community_refusals(award, community, campaign, at):
    rules = Eligibility.model_validate(award.eligibility)
    refusals = []
    if rules.campaign_districts and not campaign.districts.filter(pk=community.district_id).exists():
        names = "、".join(campaign.districts.values_list("name", flat=True))
        refusals.append(f"小区所在的“{community.district}”不在本次活动范围内（{names}）")
    if rules.completed:
        if community.completed_on is None:
            refusals.append("名录中没有该小区的竣工日期，须为已建成小区")
        elif community.completed_on > timezone.localdate(at):
            refusals.append(f"小区竣工日期为 {community.completed_on}，尚未建成")
    minimum = rules.min_occupancy_percent
    if minimum is not None and community.occupied_households * 100 < community.total_households * minimum:
        refusals.append(
            f"入住率 {community.occupancy_percent}%（{community.occupied_households}/{community.total_households} 户）"
            f"低于 {minimum}%"
        )
    return refusals


def staff_refusals(award, staff, campaign, at, exclude=None):
    rules = Eligibility.model_validate(award.eligibility)
    refusals = []
    posts = rules.posts
    if posts and staff.post not in posts:
        allowed = "、".join(Post(p).label for p in posts)
        refusals.append(f"岗位为“{staff.get_post_display()}”，本奖项限 {allowed}")
    minimum = rules.min_years_in_trade
    if minimum is not None:
        months = staff.months_in_trade(timezone.localdate(at))
        if months < minimum * 12:
            refusals.append(f"从事物业管理工作 {_years_months(months)}，不满 {minimum} 年")
    if rules.one_person_award:
        other = (Application.objects.filter(campaign=campaign, staff=staff, status__in=LIVE_STATUSES)
                 .exclude(pk=exclude).select_related("award").first())
        if other is not None:
            refusals.append(f"每人限报一项：该员工已申报“{other.award.name}”")
    return refusals


def refusals(application, at=None):
    """Every reason this application is not eligible now (empty when it is)."""
    at = at or timezone.now()
    award, campaign = application.award, application.campaign
    if award.subject == "community":
        found = community_refusals(award, application.community, campaign, at)
    else:
        found = staff_refusals(award, application.staff, campaign, at, exclude=application.pk)
    refusal = credit.black_list_refusal(application.company, campaign, at)
    if refusal:
        found.append(refusal)
    return found
