"""A community application from draft to the public showcase, at phone size:
company → 海州区 bureau (returns it once) → company corrects → bureau → office → published."""

import datetime
import io

import pytest
from PIL import Image

from wenming.awards.models import Application, Status
from wenming.campaigns.services import demo_shift_days, shift_campaign
from wenming.registry.models import Community
from wenming.testing.browser import demo_site, log_in, requires_chromium
from wenming.testing.browser import log_out as menu_log_out

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]
STORY = "小区坚持垃圾分类定点投放，楼道整洁无堆物，设立志愿者服务站，开展孤寡老人帮扶活动。" * 4


@pytest.fixture
def demo(settings):
    return demo_site(settings, "apply", with_awards=False)


def image_file(tmp_path, name, color):
    path = tmp_path / name
    Image.new("RGB", (640, 480), color).save(path, "JPEG")
    return str(path)



def log_out(page):
    menu_log_out(page)  # at phone size through the "菜单" first
    page.wait_for_url("**/")


def opinion(page, decision, text, scan=None):
    page.select_option("#id_decision", decision)
    page.fill("#id_text", text)
    if scan:
        page.set_input_files("#id_seal_scan", scan)
    page.click("#review button[type=submit]")


def test_a_community_application_goes_from_draft_to_the_public_showcase(phone, demo, tmp_path):
    from wenming.core.models import User

    company = User.objects.get(username="company1").company
    community = Community.objects.filter(company=company, district__name="海州区").with_min_occupancy(60).exclude(
        completed_on=None).first()

    # The company opens a draft and fills the seed form (附件1).
    log_in(phone, "company1")
    phone.goto("/applications/new/")
    phone.select_option("#id_award", label="文明示范小区")
    phone.select_option("#id_community", str(community.pk))
    phone.click("main button[type=submit]")
    phone.wait_for_selector("#id_basic_info")
    phone.fill("#id_basic_info", "海州区，2012 年建成，600 户，已成立业委会。")
    phone.fill("#id_narrative", STORY)
    phone.fill("#id_applicant_opinion", "同意申报。")
    phone.locator("#autosave").filter(has_text="已自动保存").wait_for()  # drafts save as you go
    for kind, color in (("gate_photo", (200, 60, 40)), ("environment_photo", (40, 160, 90))):
        phone.select_option("#id_kind", kind)
        phone.set_input_files("#id_file", image_file(tmp_path, f"{kind}.jpg", color))
        phone.click("form[action$='/attachments/'] button[type=submit]")
        phone.wait_for_load_state()
    assert phone.locator(".thumbs img").count() == 2
    phone.shot("draft")
    phone.click("#submit")
    assert phone.locator("#status").inner_text() == "待区主管部门审核"
    log_out(phone)
    application = Application.objects.get(community=community)

    # The 海州区 bureau returns it for correction.
    log_in(phone, "haizhou")
    phone.goto(f"/applications/{application.pk}/")
    opinion(phone, "return", "请补充业委会意见。")
    assert phone.locator("#status").inner_text() == "退回修改"
    log_out(phone)

    # The company corrects and resubmits.
    log_in(phone, "company1")
    phone.goto(f"/applications/{application.pk}/")
    assert "退回原因：请补充业委会意见。" in phone.locator("main").inner_text()
    phone.fill("#id_basic_info", "海州区，2012 年建成，600 户。业委会同意申报。")
    phone.locator("#autosave").filter(has_text="已自动保存").wait_for()
    phone.shot("returned")
    phone.click("#submit")
    assert phone.locator("#status").inner_text() == "待区主管部门审核"
    log_out(phone)

    # The bureau approves with the scanned sealed page; the office confirms.
    log_in(phone, "haizhou")
    phone.goto(f"/applications/{application.pk}/")
    opinion(phone, "approve", "经审核，同意上报。", scan=image_file(tmp_path, "seal.jpg", (250, 250, 250)))
    assert phone.locator("#status").inner_text() == "待评选工作办公室初审"
    log_out(phone)
    log_in(phone, "office")
    phone.goto(f"/applications/{application.pk}/")
    opinion(phone, "confirm", "材料齐全，确认为候选小区。")
    assert phone.locator("#status").inner_text() == "已确认为候选"
    phone.shot("candidate")

    # The showcase opens with the review phase: the office publishes, and the public sees it.
    campaign = application.campaign
    shift_campaign(campaign, demo_shift_days(campaign, "review", datetime.date.today()))
    phone.goto("/applications/showcase/")
    phone.click("form[action$='/publish/'] button")
    assert "已发布" in phone.locator("main").inner_text()
    log_out(phone)
    phone.goto("/showcase/")
    phone.click(f"text={community.name}")
    assert phone.locator("h1").inner_text() == community.name
    assert phone.locator(".gallery img").count() == 2
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.shot("showcase")
    poster = phone.request.get(phone.url + "poster.png")
    assert poster.status == 200 and Image.open(io.BytesIO(poster.body())).format == "PNG"
    assert Application.objects.get(pk=application.pk).status == Status.CANDIDATE
