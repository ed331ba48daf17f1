"""暗访抽查 at phone size: the district starts an unannounced inspection of a sampled community and
records a problem; the company's pages show nothing of it (its address is 404); once the district
submits, the company sees the inspection and its rectification order."""

import re

import pytest

from wenming.core.models import User
from wenming.registry.models import Community
from wenming.supervision.models import Inspection, RectificationOrder, Sample
from wenming.testing.browser import demo_site, log_in, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]

NOTE = "电梯前室堆放纸箱（暗访发现）"


@pytest.fixture
def demo(settings):
    return demo_site(settings, "voting", with_awards=False)


def _sampled_community():
    """A community of company1 in 海州区 drawn in a fresh sample (the district's draw, recorded)."""
    officer = User.objects.get(username="haizhou")
    company = User.objects.get(username="company1").company
    community = (Community.objects.filter(company=company, district=officer.district)
                 .exclude(inspections__kind="unannounced").order_by("pk").first())
    population = sorted(Community.objects.filter(district=officer.district).values_list("pk", flat=True))
    Sample.objects.create(district=officer.district, seed="5eed" * 8, size=1, population=population,
                          community_ids=[community.pk], drawn_by=officer)
    return community


def _switch(phone, username):
    phone.context.clear_cookies()
    log_in(phone, username)


def _company_items(phone):
    phone.goto("/supervision/inspections/")
    return phone.locator("main li.card").all_inner_texts()


def test_an_unannounced_inspection_stays_secret_until_submitted(phone, demo):
    community = _sampled_community()
    log_in(phone, "haizhou")
    phone.goto("/supervision/inspections/new/")
    options = phone.locator("#id_sampled option").all_inner_texts()
    assert any(community.name in o for o in options)
    assert len(options) < Community.objects.filter(district__name="海州区").count()  # only sampled communities
    phone.shot("start-offers-sampled-communities")
    phone.select_option("#id_sampled", str(community.pk))
    phone.get_by_role("button", name="开始暗访").click()
    phone.wait_for_url(re.compile(r".*/supervision/inspections/\d+/$"))
    inspection = Inspection.objects.get(kind="unannounced", community=community)
    item = phone.locator("#item-EN1")
    item.locator("input[value=fail]").check()
    item.locator("summary").click()
    phone.fill("#n-EN1", NOTE)
    phone.get_by_role("button", name="保存", exact=True).click()
    phone.wait_for_load_state()
    assert "已保存 1 项" in phone.locator("main .messages").inner_text()
    phone.shot("district-records-a-problem")

    _switch(phone, "company1")
    assert not any(community.name in i and "暗访抽查" in i for i in _company_items(phone))
    phone.shot("company-list-shows-nothing")
    response = phone.goto(f"/supervision/inspections/{inspection.pk}/")
    assert response.status == 404
    phone.shot("company-detail-404")
    phone.goto("/supervision/orders/")
    assert NOTE not in phone.locator("main").inner_text()
    phone.goto("/workbench/")
    assert "暗访" not in phone.locator("main").inner_text()
    phone.goto("/supervision/")
    assert "检查中" not in phone.locator("main").inner_text()
    phone.shot("company-supervision-home")

    _switch(phone, "haizhou")
    phone.goto(f"/supervision/inspections/{inspection.pk}/")
    phone.get_by_role("button", name="提交检查").click()
    phone.wait_for_load_state()
    phone.check("input[name=confirm_incomplete]")
    phone.get_by_role("button", name="提交检查").click()
    phone.wait_for_url("**/report/")
    assert NOTE in phone.locator("main").inner_text()
    phone.shot("district-submitted")

    _switch(phone, "company1")
    assert any(community.name in i and "暗访抽查" in i and "已提交" in i for i in _company_items(phone))
    phone.shot("company-sees-the-inspection")
    # The order for the finding the inspector wrote (the survey-coverage item SV0 is read, and may
    # fail and make an order of its own).
    order = RectificationOrder.objects.get(finding__inspection=inspection, finding__note=NOTE)
    phone.goto("/supervision/orders/")
    assert NOTE in phone.locator("main").inner_text() or community.name in phone.locator("main").inner_text()
    phone.goto(f"/supervision/orders/{order.pk}/")
    assert NOTE in phone.locator("main").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.shot("company-sees-the-order")
