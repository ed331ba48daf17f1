"""Every panel's numbers against a hand count of the data set in conftest.py, for the city and
for 海州区 (whose numbers must hold nothing of 连云区), and the drill-down scopes."""

import pytest

from wenming.dashboard import panels

pytestmark = pytest.mark.usefixtures("clock_now")


def table(panel):
    return [list(row) for row in panel.rows]


def test_phase_and_days_left(campaign, city):
    panel = panels.phase(campaign, city)
    # 2019-09-07 … 2019-12-30 is 115 days; on 2019-11-28 there are 33 left (28 Nov to 30 Dec)
    assert panel.extra["days_left"] == 33 and panel.extra["total_days"] == 115
    assert panel.series[0]["data"] == [82, 33]
    assert panel.extra["current"] == "投票评选"
    voting = next(r for r in panel.rows if r[0] == "投票评选")
    assert voting == ["投票评选", "2019-11-26", "2019-12-05", "进行中", 8]  # 28 Nov to 5 Dec
    assert [r[3] for r in panel.rows].count("已结束") == 3


def test_applications_by_award_district_and_stage(campaign, dataset, city, haizhou):
    panel = panels.applications(campaign, city)
    assert sorted(table(panel)) == sorted([
        ["文明示范小区", "海州区", "已确认为候选", 2], ["文明示范小区", "海州区", "待评选工作办公室初审", 1],
        ["文明示范小区", "连云区", "已确认为候选", 1], ["最美物业人", "连云区", "待区主管部门审核", 1]])
    assert panel.note == "共 5 份已提交的申报（不含草稿）"
    assert panel.links["海州区"] == ("district", dataset.haizhou.pk)
    mine = panels.applications(campaign, haizhou)
    assert sorted(table(mine)) == sorted([["文明示范小区", "海州甲物业服务有限公司", "已确认为候选", 2],
                                          ["文明示范小区", "海州甲物业服务有限公司", "待评选工作办公室初审", 1]])


def test_candidates(campaign, city, haizhou):
    assert sorted(table(panels.candidates(campaign, city))) == [["文明示范小区", "海州区", 2, 1],
                                                                ["文明示范小区", "连云区", 1, 1]]
    assert table(panels.candidates(campaign, haizhou)) == [["文明示范小区", "海州甲物业服务有限公司", 2, 1]]


def test_votes_per_day_and_quarantined_share(campaign, city, haizhou):
    assert table(panels.votes_per_day(campaign, city)) == [["2019-11-26", 8, 3, 37.5], ["2019-11-27", 2, 0, 0.0]]
    mine = panels.votes_per_day(campaign, haizhou)
    assert table(mine) == [["2019-11-26", 4, 1, 25.0], ["2019-11-27", 2, 0, 0.0]]
    assert mine.note == "共 6 票，其中待核查 1 票（16.7%）"


def test_votes_per_hour_in_beijing_time(campaign, city, haizhou):
    rows = {r[0]: r[1:] for r in panels.votes_per_hour(campaign, city).rows}
    assert len(rows) == 24
    assert rows["02时"] == [1, 1, 100.0] and rows["10时"] == [9, 2, 22.2] and rows["11时"] == [0, 0, None]
    mine = {r[0]: r[1:] for r in panels.votes_per_hour(campaign, haizhou).rows}
    assert mine["10时"] == [5, 0, 0.0]


def test_survey_coverage_against_the_presets_target(campaign, dataset, city, haizhou):
    panel = panels.survey_coverage(campaign, city)
    assert panel.extra["target"] == 60 and "60%" in panel.title
    assert table(panel) == [["海州花园", "海州区", 8, 5, 62.5, "达标"], ["连云新村", "连云区", 10, 3, 30.0, "未达标"]]
    assert table(panels.survey_coverage(campaign, haizhou)) == [["海州花园", "海州区", 8, 5, 62.5, "达标"]]


def test_survey_target_comes_from_the_rules(campaign, dataset, city):
    from wenming.testing.factories import set_rules

    rules = campaign.rules
    rules["survey"]["coverage_target_percent"] = 70
    set_rules(campaign, rules)
    campaign.refresh_from_db()
    panel = panels.survey_coverage(campaign, city)
    assert [r[5] for r in panel.rows] == ["未达标", "未达标"] and panel.extra["target"] == 70


def test_expert_grid_flags_the_dropped_extremes(campaign, city, haizhou):
    panel = panels.experts(campaign, city)
    experts = panel.headers[1:-2]
    assert sorted(experts) == sorted(["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛"])
    rows = {r[0]: dict(zip(experts, r[1:-2], strict=True)) | {"counts": r[-2:]} for r in panel.rows}
    assert rows["候选小区一"]["丁"] == "70.0（去掉）" and rows["候选小区一"]["戊"] == "95.0（去掉）"
    assert rows["候选小区一"]["甲"] == 80.0 and rows["候选小区一"]["counts"] == [5, 5]
    assert rows["候选小区二"]["庚"] == "未提交" and rows["候选小区二"]["counts"] == [2, 1]
    assert rows["候选小区二"]["甲"] == "—"
    assert len(panel.extra["flagged"]) == 2
    mine = panels.experts(campaign, haizhou)
    assert "连云新村" not in [r[0] for r in mine.rows] and "辛" not in mine.headers


def test_two_experts_of_one_name_are_two_columns(campaign, city, dataset, office):
    """The grid is keyed by id, not by name: a second 甲 gets its own column, labelled 甲（2）."""
    from wenming.awards.models import Showcase
    from wenming.dashboard.tests.conftest import _sheet

    _sheet(campaign, office, Showcase.objects.get(title="候选小区二"), "甲", 77, username="another-jia")
    panel = panels.experts(campaign, city)
    experts = panel.headers[1:-2]
    assert experts.count("甲") == 1 and "甲（2）" in experts
    rows = {r[0]: dict(zip(experts, r[1:-2], strict=True)) for r in panel.rows}
    assert rows["候选小区二"]["甲（2）"] == 77.0 and rows["候选小区二"]["甲"] == "—"
    assert rows["候选小区一"]["甲"] == 80.0 and rows["候选小区一"]["甲（2）"] == "—"


def test_supervision_orders_and_closure_by_action(campaign, city, haizhou):
    panel = panels.supervision(campaign, city)
    assert table(panel) == [["环境秩序提升", 3, 1, 1, 2, 66.7], ["设备维护提升", 1, 1, 0, 0, 0.0]]
    assert panel.extra["inspections"] == {"定期督查": 2, "暗访抽查": 1}
    mine = panels.supervision(campaign, haizhou)
    assert table(mine) == [["环境秩序提升", 2, 1, 1, 1, 50.0], ["设备维护提升", 1, 1, 0, 0, 0.0]]
    assert mine.extra["inspections"] == {"定期督查": 1, "暗访抽查": 1}


def test_interviews(campaign, city, haizhou):
    assert table(panels.interviews(campaign, city)) == [["海州区", 1, 1], ["连云区", 2, 1]]
    assert table(panels.interviews(campaign, haizhou)) == [["海州甲物业服务有限公司", 1, 1]]


def test_complaint_rates(campaign, city, haizhou):
    assert [r[:4] for r in panels.complaint_rates(campaign, city).rows] == [
        ["响应率", 3, 4, 75.0], ["按时办结率", 2, 3, 66.7], ["解决率", 1, 2, 50.0], ["满意率", 1, 2, 50.0]]
    assert [r[:4] for r in panels.complaint_rates(campaign, haizhou).rows] == [
        ["响应率", 2, 3, 66.7], ["按时办结率", 2, 3, 66.7], ["解决率", 1, 2, 50.0], ["满意率", 1, 2, 50.0]]


def test_volunteer_hours(campaign, city, haizhou):
    panel = panels.volunteer_hours(campaign, city)
    assert table(panel) == [["海州区", 3.0, 3, 3], ["连云区", 0.8, 1, 1]]  # 180 and 45 minutes
    assert panel.note == "已确认服务时长共 3.8 小时"
    assert table(panels.volunteer_hours(campaign, haizhou)) == [["海州甲物业服务有限公司", 3.0, 3, 3]]


def test_credit_grades_and_lists(campaign, city, haizhou):
    panel = panels.credit_grades(campaign, city)
    assert dict(table(panel)) == {"4A": 0, "3A": 0, "2A": 0, "A": 1, "B": 1, "红榜": 1, "黑榜": 1}
    mine = panels.credit_grades(campaign, haizhou)
    assert dict(table(mine)) == {"4A": 0, "3A": 0, "2A": 0, "A": 1, "B": 0, "红榜": 1, "黑榜": 0}


def test_participation_per_company(campaign, dataset, city, haizhou):
    panel = panels.participation(campaign, city)
    assert table(panel) == [["海州甲物业服务有限公司", 3, 2, 1], ["连云乙物业服务有限公司", 2, 1, 1]]
    assert panel.links["海州甲物业服务有限公司"] == ("company", dataset.company_a.pk)
    assert table(panels.participation(campaign, haizhou)) == [["海州甲物业服务有限公司", 3, 2, 1]]


def test_company_and_community_scopes(campaign, dataset):
    company = panels.Scope("company", "海州甲", company_id=dataset.company_a.pk, pk=dataset.company_a.pk)
    assert table(panels.votes_per_day(campaign, company)) == [["2019-11-26", 4, 1, 25.0], ["2019-11-27", 2, 0, 0.0]]
    assert table(panels.volunteer_hours(campaign, company)) == [["候选小区一", 1.0, 1, 1], ["海州花园", 2.0, 2, 2]]
    community = panels.Scope("community", "海州花园", community_id=dataset.community_a.pk, pk=dataset.community_a.pk)
    assert table(panels.volunteer_hours(campaign, community)) == [["海州花园", 2.0, 2, 2]]
    assert next(r[:3] for r in panels.complaint_rates(campaign, community).rows) == ["响应率", 2, 2]
    assert table(panels.supervision(campaign, community)) == [["环境秩序提升", 2, 1, 1, 1, 50.0],
                                                              ["设备维护提升", 1, 1, 0, 0, 0.0]]
    assert table(panels.participation(campaign, community)) == [["海州甲物业服务有限公司", 1, 1, 1]]


def test_a_district_officer_company_scope_stays_in_the_district(campaign, dataset, haizhou_officer):
    """海州甲 also manages a community in 连云区: seen from 海州区 its numbers there are left out."""
    from wenming.testing import factories as f

    elsewhere = f.make_community(name="连云飞地", company=dataset.company_a, district=dataset.lianyun)
    f.make_staff(name="赵六", community=elsewhere)
    scope = panels.scope_for(haizhou_officer, "company", dataset.company_a.pk)
    assert scope.district_id == dataset.haizhou.pk
    assert table(panels.participation(campaign, scope)) == [["海州甲物业服务有限公司", 3, 2, 1]]
    office_view = panels.Scope("company", "海州甲", company_id=dataset.company_a.pk, pk=dataset.company_a.pk)
    assert table(panels.participation(campaign, office_view)) == [["海州甲物业服务有限公司", 3, 3, 1]]
