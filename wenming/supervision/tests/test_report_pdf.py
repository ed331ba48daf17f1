import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from wenming.awards.tests.test_printing import fonts_of, requires_pdf
from wenming.supervision import services
from wenming.supervision.models import RectificationOrder
from wenming.supervision.tests.conftest import inspect

pytestmark = pytest.mark.django_db


@requires_pdf
def test_the_inspection_report_pdf_holds_the_findings_in_chinese(client, campaign, world, haizhou_officer, at):
    at("2019-09-09 10:00 +0800")
    inspection = inspect(campaign, haizhou_officer, world.community_a, {"PK1": "消防通道停放车辆"})
    client.force_login(haizhou_officer)
    response = client.get(reverse("supervision:report_pdf", args=[inspection.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert "物业管理文明创建督查检查报告" in text and "海州花园" in text and "消防通道停放车辆" in text
    assert any("CJK" in name for name in fonts_of(reader))


def test_without_the_pdf_pieces_the_report_says_so(client, campaign, world, haizhou_officer, at, monkeypatch):
    at("2019-09-09 10:00 +0800")
    inspection = inspect(campaign, haizhou_officer, world.community_a, {})
    monkeypatch.setattr("wenming.supervision.printing.pdf_available", lambda: False)
    client.force_login(haizhou_officer)
    response = client.get(reverse("supervision:report_pdf", args=[inspection.pk]))
    assert response.status_code == 503 and "请使用网页版打印" in response.text


def test_the_maintenance_fund_application_is_tracked_for_fund_repairs_only(campaign, world, haizhou_officer, at):
    from wenming.core.errors import Conflict

    at("2019-09-09 10:00 +0800")
    community = world.community_a
    community.completed_on = None  # unknown completion: outside any warranty we can prove
    community.save()
    inspection = inspect(campaign, haizhou_officer, community, {"FA4": "电梯停用", "SV4": "保安睡岗"})
    fund_order = RectificationOrder.objects.get(finding__inspection=inspection, finding__item="FA4")
    services.set_fund_state(fund_order, haizhou_officer, "applied")
    fund_order.refresh_from_db()
    assert fund_order.fund_state == "applied" and fund_order.get_fund_state_display() == "已申请维修资金"
    with pytest.raises(Conflict):
        services.set_fund_state(RectificationOrder.objects.get(finding__item="SV4"), haizhou_officer, "applied")
