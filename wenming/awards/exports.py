"""The applications' 汇总表: one row per application the user may see (a district its own,
the office all), submission time as a date, occupancy as a number, phones masked."""

from django.utils import timezone

from wenming.awards.models import Application, Status
from wenming.core.excel import Table
from wenming.core.validators import mask_phone

EXPORT_HEADERS = ["编号", "奖项", "名称", "所属区", "物业服务企业", "申报渠道", "状态", "提交时间", "入住率（%）", "岗位",
                  "联系电话", "代为录入说明"]


def applications_table(queryset, campaign):
    queryset = queryset.select_related("award", "district", "company", "community", "staff")

    def rows():
        for a in queryset.order_by("award__sort_order", "district__sort_order", "pk").iterator(chunk_size=1000):
            yield [a.pk, a.award.name, a.full_name, str(a.district), str(a.company), a.get_channel_display(),
                   a.get_status_display(),
                   timezone.localtime(a.submitted_at, campaign.tz).replace(tzinfo=None) if a.submitted_at else None,
                   float(a.community.occupancy_percent) if a.community else None,
                   a.get_post_display() if a.post else "", mask_phone(a.applicant_phone), a.intake_note]

    return Table("申报汇总表", EXPORT_HEADERS, rows(), count=queryset.count())


def hub_applications(user, campaign):
    queryset = Application.objects.visible_to(user).filter(campaign=campaign).exclude(status=Status.MERGED)
    return [applications_table(queryset, campaign)]
