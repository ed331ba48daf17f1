"""Supervision at phone size: an inspector records findings on site (a measurement, a failure
with a photo) and submits; the company uploads rectification evidence and submits it."""

import io

import pytest
from PIL import Image

from wenming.registry.models import Community
from wenming.supervision.models import Evidence, Finding, Inspection, OrderState, RectificationOrder
from wenming.testing.browser import demo_site, log_in, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings):
    return demo_site(settings, "voting", with_awards=False)



def photo(tmp_path):
    path = tmp_path / "site.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 120, 40)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_an_inspector_records_findings_on_site(phone, demo, tmp_path):
    log_in(phone, "haizhou")
    community = Community.objects.filter(district__name="海州区").order_by("-pk").first()
    phone.goto("/supervision/inspections/new/")
    phone.select_option("#id_community", str(community.pk))
    phone.select_option("#id_kind", "regular")
    phone.click("main button[type=submit]")
    phone.wait_for_url("**/supervision/inspections/*/")
    assert "已填 0/" in phone.locator("main").inner_text()
    phone.shot("inspection-checklist")

    phone.fill("#v-AD1", "3")
    item = phone.locator("#item-EN1")
    item.locator("input[value=fail]").check()
    item.locator("summary").click()
    phone.select_option("#s-EN1", "major")
    phone.fill("#n-EN1", "草坪内烟头纸屑")
    phone.fill("#l-EN1", "5 号楼北侧")
    phone.set_input_files("#p-EN1", photo(tmp_path))
    phone.shot("inspection-finding")
    phone.get_by_role("button", name="保存", exact=True).click()  # the whole checklist at once
    phone.wait_for_load_state()
    assert "已保存 2 项" in phone.locator("main .messages").inner_text()
    assert "不合格" in phone.locator("#item-AD1").inner_text()
    assert "不合格（较重）" in phone.locator("#item-EN1").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    phone.get_by_role("button", name="提交检查").click()  # 2 of many: warned, not submitted
    phone.wait_for_load_state()
    assert "项未填写，确认后才能提交" in phone.locator("#checklist-errors").inner_text()
    phone.check("input[name=confirm_incomplete]")
    phone.get_by_role("button", name="提交检查").click()
    phone.wait_for_url("**/report/")
    report = phone.locator("main").inner_text()
    # AD1 and EN1, and SV0 when the community's survey coverage (read, not typed) is below 60%
    from wenming.supervision.services import reading

    failed = 2 + (reading(demo, "SV0", community) < 60)
    assert f"不合格 {failed} 项" in report and "草坪内烟头纸屑" in report
    phone.shot("inspection-report")
    inspection = Inspection.objects.filter(community=community, kind="regular").latest("started_at")
    assert Finding.objects.get(inspection=inspection, item="EN1").photos.count() == 1
    assert RectificationOrder.objects.filter(finding__inspection=inspection).count() == failed


def test_a_company_uploads_rectification_evidence(phone, demo, tmp_path):
    order = RectificationOrder.objects.filter(state=OrderState.ISSUED, company__communities__isnull=False,
                                 company_id__in=_company1()).first()
    log_in(phone, "company1")
    phone.goto(f"/supervision/orders/{order.pk}/")
    phone.shot("order-issued")
    phone.get_by_role("button", name="确认收到，开始整改").click()
    phone.wait_for_load_state()
    phone.fill("#id_text", "已清理并张贴提示，附整改后照片")
    phone.set_input_files("#id_photos", photo(tmp_path))
    phone.get_by_role("button", name="保存为新版本").click()
    phone.wait_for_load_state()
    assert "第 1 版" in phone.locator("main").inner_text()
    phone.get_by_role("button", name="提交最新版本供复查").click()
    phone.wait_for_load_state()
    assert "已提交整改材料" in phone.locator("main").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.shot("order-evidence-submitted")
    order.refresh_from_db()
    assert order.state == OrderState.EVIDENCE_SUBMITTED
    evidence = Evidence.objects.get(order=order)
    assert evidence.submitted_at and evidence.photos.count() == 1


def _company1():
    from wenming.core.models import User

    return [User.objects.get(username="company1").company_id]
