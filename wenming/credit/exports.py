"""Credit's Excel exports: the 招投标 list (grade, red/black list, restriction, bonus per
company; office), the published red/black list, and the credit history (every record with its
points, validity and state), cut to the companies the user may see."""

from django.utils import timezone

from wenming.core.excel import Table, mask_phones_in
from wenming.credit import services
from wenming.credit.models import CreditRecord
from wenming.registry.models import Company

BIDDING_HEADERS = ["企业名称", "统一社会信用代码", "信用分", "信用等级", "红黑榜", "限制截止", "限制", "表彰加分"]
LIST_HEADERS = ["期次", "红黑榜", "企业名称", "统一社会信用代码", "信用分", "信用等级", "原因", "限制截止"]
HISTORY_HEADERS = ["企业名称", "统一社会信用代码", "事项", "规则代码", "分值", "一票否决", "来源", "依据", "生效时间",
                   "失效时间", "状态", "记入时间"]


def _local(value, campaign):
    return timezone.localtime(value, campaign.tz).replace(tzinfo=None) if value else None


def bidding_table(campaign, companies):
    rows = services.bidding_rows(campaign, list(companies))
    return Table("招投标信用信息", BIDDING_HEADERS, [
        [r["company"].name, r["company"].credit_code, r["score"], r["grade"],
         {"red": "红榜", "black": "黑榜"}.get(r["list"], ""), _local(r["restricted_until"], campaign),
         "不得参与物业项目招投标" if r["restricted_until"] else "", r["bonus"]] for r in rows])


def list_table(campaign, companies):
    latest = services.published_lists().filter(campaign=campaign).first()
    entries = (latest.entries.filter(company__in=companies).select_related("company") if latest else [])
    return Table("红黑榜", LIST_HEADERS, [
        [latest.period, e.get_kind_display(), e.company.name, e.company.credit_code, e.score, e.grade, e.reason,
         _local(e.restricted_until, campaign)] for e in entries])


def history_table(campaign, companies):
    queryset = CreditRecord.objects.filter(company__in=companies).select_related("company").order_by(
        "company__name", "valid_from", "pk")

    def rows():
        for r in queryset.iterator(chunk_size=1000):
            yield [r.company.name, r.company.credit_code, r.name, r.code, r.points, "是" if r.veto else "",
                   r.get_source_display(), mask_phones_in(r.evidence), _local(r.valid_from, campaign),
                   _local(r.valid_until, campaign),
                   r.get_state_display(), _local(r.created_at, campaign)]

    return Table("信用记录", HISTORY_HEADERS, rows(), count=queryset.count())


def _companies(user):
    return Company.objects.visible_to(user).order_by("name")


def hub_bidding(user, campaign):
    return [bidding_table(campaign, _companies(user))]


def hub_lists(user, campaign):
    return [list_table(campaign, _companies(user))]


def hub_history(user, campaign):
    return [history_table(campaign, _companies(user).values("pk"))]
