"""The survey coverage export: per community, occupied households, counted responses and
coverage against the campaign's target, cut to the communities the user is assigned."""

from wenming.core.excel import Table
from wenming.surveys import services


def coverage_table(campaign, communities):
    target = services.spec(campaign)["coverage_target_percent"]
    rows = services.coverage(campaign, list(communities.select_related("district").order_by("district", "name")))
    return Table("入户率", ["区", "小区", "入住户数", "有效问卷", "入户率（%）", f"目标 {target}%", "待核实"], [
        [r.community.district.name, r.community.name, r.households, r.responses, round(r.percent, 1),
         "达标" if r.percent >= target else "未达标", r.held] for r in rows])


def hub_coverage(user, campaign):
    return [coverage_table(campaign, services.assigned_communities(user, campaign))]
