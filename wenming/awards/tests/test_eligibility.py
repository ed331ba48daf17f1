"""Eligibility comes from the registry and the preset, and each refusal gives its numbers."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from wenming.awards import services
from wenming.registry.models import Post
from wenming.testing.factories import make_community, make_district, make_staff


def refusal(call):
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.messages


def test_occupancy_below_60_percent_is_refused_with_the_numbers(world, company_a, community_award, apply_time):
    low = make_community(company=world.company_a, total_households=1000, occupied_households=599)
    messages = refusal(lambda: services.start_application(community_award.campaign, community_award, actor=company_a,
                                                          channel="company", community=low))
    assert messages == ["入住率 59.9%（599/1000 户）低于 60%"]


def test_exactly_60_percent_is_eligible(world, company_a, community_award, apply_time):
    edge = make_community(company=world.company_a, total_households=1000, occupied_households=600)
    application = services.start_application(community_award.campaign, community_award, actor=company_a,
                                             channel="company", community=edge)
    assert application.pk


def test_a_community_outside_the_campaign_is_refused(world, company_a, community_award, apply_time):
    county = make_district("东海县")
    outside = make_community(company=world.company_a, district=county)
    messages = refusal(lambda: services.start_application(community_award.campaign, community_award, actor=company_a,
                                                          channel="company", community=outside))
    assert messages[0].startswith("小区所在的“东海县”不在本次活动范围内（海州区、连云区、赣榆区")


def test_an_unfinished_community_is_refused(world, company_a, community_award, apply_time):
    unfinished = make_community(company=world.company_a, completed_on=None)
    messages = refusal(lambda: services.start_application(community_award.campaign, community_award, actor=company_a,
                                                          channel="company", community=unfinished))
    assert messages == ["名录中没有该小区的竣工日期，须为已建成小区"]


def test_one_year_eleven_months_in_the_trade_is_refused(world, company_a, worker_award, apply_time):
    # On 2019-09-20, someone who started on 2017-10-01 has 1 year 11 months.
    newcomer = make_staff(community=world.community_a, post=Post.SECURITY, entered_trade_on=datetime.date(2017, 10, 1))
    messages = refusal(lambda: services.start_application(worker_award.campaign, worker_award, actor=company_a,
                                                          channel="company_nomination", staff=newcomer))
    assert messages == ["从事物业管理工作 1 年 11 个月，不满 2 年"]


def test_exactly_two_years_is_eligible(world, company_a, worker_award, apply_time):
    two = make_staff(community=world.community_a, post=Post.SECURITY, entered_trade_on=datetime.date(2017, 9, 20))
    assert services.start_application(worker_award.campaign, worker_award, actor=company_a,
                                      channel="company_nomination", staff=two).pk


def test_a_manager_needs_three_years_as_project_manager(world, company_a, manager_award, apply_time):
    manager = make_staff(community=world.community_a, post=Post.PROJECT_MANAGER,
                         entered_trade_on=datetime.date(2017, 1, 1))
    messages = refusal(lambda: services.start_application(manager_award.campaign, manager_award, actor=company_a,
                                                          channel="company_nomination", staff=manager))
    assert messages == ["从事物业管理工作 2 年 8 个月，不满 3 年"]


def test_the_post_must_fit_the_award(world, company_a, manager_award, veteran, apply_time):
    messages = refusal(lambda: services.start_application(manager_award.campaign, manager_award, actor=company_a,
                                                          channel="company_nomination", staff=veteran))
    assert messages == ["岗位为“保洁员”，本奖项限 项目负责人"]


def test_a_second_person_award_is_refused(world, company_a, worker_award, manager_award, apply_time):
    both = make_staff(community=world.community_a, post=Post.PROJECT_MANAGER,
                      entered_trade_on=datetime.date(2010, 1, 1))
    worker_award.eligibility = {**worker_award.eligibility, "posts": [*worker_award.eligibility["posts"],
                                                                        "project_manager"]}
    worker_award.save()
    services.start_application(manager_award.campaign, manager_award, actor=company_a,
                               channel="company_nomination", staff=both)
    messages = refusal(lambda: services.start_application(worker_award.campaign, worker_award, actor=company_a,
                                                          channel="company_nomination", staff=both))
    assert messages == ["每人限报一项：该员工已申报“创文优秀物管小区负责人”"]


def test_awards_asks_the_credit_file_about_the_company(world, company_a, community_award, apply_time, monkeypatch):
    from wenming.credit import services as credit

    def black_list(company, campaign, at):
        return f"“{company}”在物业行业黑榜上，不得参评" if company == world.company_a else None

    monkeypatch.setattr(credit, "black_list_refusal", black_list)
    messages = refusal(lambda: services.start_application(community_award.campaign, community_award,
                                                          actor=company_a, channel="company",
                                                          community=world.community_a))
    assert messages == [f"“{world.company_a}”在物业行业黑榜上，不得参评"]
