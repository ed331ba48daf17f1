"""Supervision's Excel exports (inspections, rectification orders, interviews), each cut to
what the user may see (`services.scoped` / `visible_inspections`): the office the city, a
district officer its district, a company its own. Dates as dates, counts as numbers."""

from django.db.models import Count, Q
from django.utils import timezone

from wenming.core.excel import Table, mask_phones_in
from wenming.supervision import services
from wenming.supervision.models import Interview, RectificationOrder

ORDER_HEADERS = ["编号", "区", "小区", "物业企业", "提升行动", "问题", "严重程度", "维修责任", "下达日期", "整改期限",
                 "工作日", "状态", "办结日期"]
INSPECTION_HEADERS = ["编号", "类型", "层级", "区", "小区", "物业企业", "检查人", "开始日期", "提交日期", "状态",
                      "检查项", "不合格项", "检查小结"]
INTERVIEW_HEADERS = ["编号", "区", "小区", "物业企业", "反复出现的问题", "约谈时间", "参加人员", "整改要求", "整改期限",
                     "状态", "办结时间"]


def _local(value, campaign):
    return timezone.localtime(value, campaign.tz).replace(tzinfo=None) if value else None


def _day(value, campaign):
    return timezone.localtime(value, campaign.tz).date() if value else None


def orders_table(queryset, campaign):
    items = services.checklist(campaign)

    def rows():
        for o in queryset.select_related("district", "community", "company", "finding").order_by("pk").iterator(
                chunk_size=1000):
            item = items.get(o.finding.item, {})
            yield [o.pk, o.district.name, o.community.name, o.company.name if o.company else "",
                   item.get("action_name", o.finding.action), item.get("text", o.finding.item),
                   o.finding.get_severity_display(), o.finding.get_responsible_display(),
                   _day(o.issued_at, campaign), o.deadline, o.workdays, o.get_state_display(),
                   _day(o.closed_at, campaign)]

    return Table("整改通知", ORDER_HEADERS, rows(), count=queryset.count())


def inspections_table(queryset, campaign):
    queryset = queryset.select_related("district", "community", "company", "inspector").annotate(
        items=Count("findings"), failed=Count("findings", filter=Q(findings__passed=False)))

    def rows():
        for i in queryset.order_by("pk").iterator(chunk_size=1000):
            yield [i.pk, i.get_kind_display(), i.get_level_display(), i.district.name, i.community.name,
                   i.company.name if i.company else "", i.inspector.display_name or i.inspector.username,
                   _day(i.started_at, campaign), _day(i.submitted_at, campaign), i.get_state_display(), i.items,
                   i.failed, mask_phones_in(i.summary)]

    return Table("督查检查", INSPECTION_HEADERS, rows(), count=queryset.count())


def interviews_table(queryset, campaign):
    items = services.checklist(campaign)
    queryset = queryset.select_related("problem__district", "problem__community", "problem__company")

    def rows():
        for v in queryset.order_by("pk").iterator(chunk_size=1000):
            p = v.problem
            yield [v.pk, p.district.name, p.community.name, p.company.name if p.company else "",
                   items.get(p.item, {}).get("text", p.item), _local(v.held_at, campaign), mask_phones_in(v.attendees),
                   mask_phones_in(v.requirements), v.deadline, v.get_state_display(), _local(v.concluded_at, campaign)]

    return Table("约谈", INTERVIEW_HEADERS, rows(), count=queryset.count())


def hub_orders(user, campaign):
    return [orders_table(services.scoped(RectificationOrder.objects.all(), user), campaign)]


def hub_inspections(user, campaign):
    return [inspections_table(services.visible_inspections(user), campaign)]


def hub_interviews(user, campaign):
    queryset = services.scoped(Interview.objects.all(), user, district_field="problem__district",
                               company_field="problem__company")
    return [interviews_table(queryset, campaign)]
