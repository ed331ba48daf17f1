"""The complaints list as Excel: every ticket the user may see, times as dates, phones masked."""

from django.utils import timezone

from wenming.complaints import services
from wenming.complaints.models import Ticket
from wenming.core.excel import Table
from wenming.core.validators import mask_phone

HEADERS = ["投诉编号", "来源", "12345 工单号", "区", "小区", "物业企业", "类别", "紧急程度", "状态", "提交时间", "接待时间",
           "反馈时间", "回访结果", "满意度", "联系电话"]


def tickets_table(queryset, campaign, names, levels):
    queryset = queryset.select_related("community", "company", "district").order_by("filed_at")

    def moment(value):
        return timezone.localtime(value, campaign.tz).replace(tzinfo=None) if value else None

    def rows():
        for t in queryset.iterator(chunk_size=1000):
            yield [t.number, t.get_source_display(), t.hotline_number or "", t.district.name, t.community.name,
                   t.company.name, names.get(t.category, t.category), levels.get(t.urgency, t.urgency),
                   t.get_state_display(), moment(t.filed_at), moment(t.received_at), moment(t.answered_at),
                   "" if t.fixed is None else ("已解决" if t.fixed else "未解决"), t.satisfaction,
                   mask_phone(t.phone)]

    return Table("投诉", HEADERS, rows(), count=queryset.count())


def hub_tickets(user, campaign):
    names = {key: c.name for key, c in services.categories(campaign).items()}
    levels = {key: u.name for key, u in services.urgencies(campaign).items()}
    return [tickets_table(Ticket.objects.visible_to(user).filter(campaign=campaign), campaign, names, levels)]
