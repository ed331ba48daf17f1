"""The exports the hub offers, as data: each names who may take it and the function giving
its sheets for a user and a campaign (each app's own `exports` module, which cuts the rows to
the user's scope). The hub lists the entries the signed-in role may take; nothing else in the
hub knows one export from another."""

from collections.abc import Callable
from dataclasses import dataclass

from wenming.awards import exports as awards
from wenming.complaints import exports as complaints
from wenming.core.roles import Role
from wenming.credit import exports as credit
from wenming.judging import exports as judging
from wenming.results import exports as results
from wenming.supervision import exports as supervision
from wenming.surveys import exports as surveys
from wenming.volunteers import exports as volunteers
from wenming.voting import exports as voting

OFFICE, DISTRICT, COMPANY = Role.OFFICE, Role.DISTRICT, Role.COMPANY


@dataclass(frozen=True)
class Export:
    key: str
    label: str
    group: str
    roles: tuple
    tables: Callable  # (user, campaign) → [core.excel.Table]
    note: str = ""
    background: bool = False  # always through the worker (the largest lists)

    @property
    def filename(self):
        return f"{self.label}.xlsx"

    def allowed(self, user):
        return user.is_authenticated and user.is_active and (user.is_superuser or user.role in self.roles)


EXPORTS = [
    Export("applications", "申报汇总表", "申报与评选", (OFFICE, DISTRICT), awards.hub_applications),
    # Named experts' scores and vote counts are the office's (judging's and voting's own rules):
    # a district never takes them here either.
    Export("scores", "专家评分表", "申报与评选", (OFFICE, Role.EXPERT), judging.hub_grid,
           note="候选 × 专家，未提交的评分为空"),
    Export("votes", "投票统计", "申报与评选", (OFFICE,), voting.hub_votes, note="按候选、按日两张表",
           background=True),
    Export("winners", "抽奖中奖名单", "申报与评选", (OFFICE,), voting.hub_winners, note="电话已隐去中间四位"),
    Export("coverage", "入户调查覆盖率", "申报与评选", (OFFICE, DISTRICT, Role.SURVEYOR), surveys.hub_coverage),
    Export("honours", "表彰与区级配套", "申报与评选", (OFFICE, DISTRICT, COMPANY), results.hub_honours),
    Export("inspections", "督查检查记录", "督查与信用", (OFFICE, DISTRICT, COMPANY), supervision.hub_inspections),
    Export("orders", "整改通知", "督查与信用", (OFFICE, DISTRICT, COMPANY), supervision.hub_orders),
    Export("interviews", "约谈记录", "督查与信用", (OFFICE, DISTRICT, COMPANY), supervision.hub_interviews),
    Export("credit_lists", "红黑榜", "督查与信用", (OFFICE, DISTRICT, COMPANY), credit.hub_lists,
           note="最近一次公布的红黑榜"),
    Export("credit_history", "信用记录", "督查与信用", (OFFICE, DISTRICT, COMPANY), credit.hub_history),
    Export("bidding", "招投标信用名单", "督查与信用", (OFFICE,), credit.hub_bidding),
    Export("complaints", "投诉", "投诉与志愿服务", (OFFICE, DISTRICT, COMPANY), complaints.hub_tickets),
    Export("volunteer_records", "志愿服务记录", "投诉与志愿服务", (OFFICE, DISTRICT, COMPANY), volunteers.hub_records,
           background=True),
]
BY_KEY = {e.key: e for e in EXPORTS}


def available(user):
    return [e for e in EXPORTS if e.allowed(user)]
