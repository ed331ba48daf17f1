"""Scoring at phone size: a surveyor enters a household's questionnaire; an expert scores a
candidate on site and submits; the office publishes results and the public page shows the sheet."""

import pytest
from playwright.sync_api import expect

from wenming.judging.models import Sheet
from wenming.results import services as results
from wenming.results.models import Honour, Matching, Objection, Run
from wenming.surveys.models import Response
from wenming.testing.browser import demo_site, log_in, log_out, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def enter_household(phone):
    """Sign in as the demo surveyor and fill household 1-2-1502 (first choice everywhere)."""
    log_in(phone, "surveyor1")
    phone.goto("/surveys/")
    phone.locator("a.button", has_text="录入").first.click()
    phone.wait_for_url("**/surveys/communities/*/")
    phone.fill("#id_building", "1")
    phone.fill("#id_unit", "2")
    phone.fill("#id_room", "1502")
    for question in phone.locator("fieldset.question").all():
        question.locator("input[type=radio]").first.check()


def test_a_surveyor_enters_a_response(phone, settings):
    demo_site(settings, "voting")
    before = Response.objects.count()
    enter_household(phone)
    phone.shot("survey-entry")
    phone.get_by_role("button", name="提交本户问卷").click()
    # sent by the survey queue (kept on the phone first), then the page comes back with the news
    expect(phone.locator("main .messages")).to_contain_text("1-2-1502 已记录")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert Response.objects.count() == before + 1


def test_an_expert_scores_on_site_and_submits(phone, settings):
    demo_site(settings, "expert")
    log_in(phone, "expert3")
    phone.goto("/judging/")
    phone.shot("judging-list")
    sheet = Sheet.objects.filter(assignment__expert__user__username="expert3", submitted_at__isnull=True).first()
    phone.goto(f"/judging/{sheet.assignment_id}/")
    for field in phone.locator("input[id^='s-']").all():
        field.fill("3")
    phone.locator("input[name='c_environment.1']").fill("草坪有少量烟头")
    phone.get_by_role("button", name="保存", exact=True).click()
    phone.wait_for_load_state()
    assert "已保存" in phone.locator("main").inner_text()
    phone.shot("judging-sheet")
    phone.get_by_role("button", name="提交评分表").click()
    phone.wait_for_url("**/judging/")
    sheet.refresh_from_db()
    assert sheet.submitted_at is not None and sheet.comments["environment.1"] == "草坪有少量烟头"
    assert "已提交" in phone.locator("main").inner_text()


def test_the_office_publishes_and_the_public_page_shows_the_sheet(phone, settings):
    demo_site(settings, "results")
    # Take one award back to "not yet published" (with what its publication made).
    Objection.objects.filter(run__award__key="model_worker").delete()
    Honour.objects.filter(run__award__key="model_worker").delete()
    Matching.objects.filter(run__award__key="model_worker").delete()
    Run.objects.filter(award__key="model_worker").delete()
    log_in(phone, "office")
    phone.goto("/results/office/")
    section = phone.locator("section.card", has_text="最美物业人")
    section.get_by_role("button", name="计算").click()
    phone.wait_for_load_state()
    log_out(phone)
    # The award's committee (its experts) decides: a quorum agrees, each on their own phone.
    campaign = Run.objects.get(award__key="model_worker").campaign
    award = campaign.awards.get(key="model_worker")
    members = list(results.committee(campaign, award))[: results.quorum(campaign, award)]
    for n, member in enumerate(members):
        log_in(phone, member.username)
        phone.goto("/results/committee/")
        card = phone.locator("section.card", has_text="最美物业人")
        if n == 0:  # disagreeing without a word is refused, nothing recorded
            card.get_by_role("radio", name="不同意").check()
            card.get_by_role("button", name="提交意见").click()
            phone.wait_for_load_state()
            assert "不同意时请写明意见" in phone.locator("main").inner_text()
            phone.shot("committee-disagree-needs-a-reason")
            card = phone.locator("section.card", has_text="最美物业人")
        card.get_by_role("radio", name="同意", exact=True).check()
        card.get_by_role("button", name="提交意见").click()
        phone.wait_for_load_state()
        assert "您的意见已记录" in phone.locator("main").inner_text()
        log_out(phone)
    phone.shot("committee-agreed")
    log_in(phone, "office")
    phone.goto("/results/office/")
    phone.locator("section.card", has_text="最美物业人").get_by_role("button", name="公布").click()
    phone.wait_for_load_state()
    assert Run.objects.get(award__key="model_worker").state == "published"
    phone.goto("/results/")
    text = phone.locator("main").inner_text()
    assert "最美物业人" in text and "第 1 名" in text and "有效票" in text
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.shot("results-public")
