"""Refusals at phone size: an action after its window shows the Chinese reason, never a 500."""

import datetime
import json

import pytest
import time_machine

from tests_browser.test_scoring_journeys import enter_household
from wenming.campaigns import clock
from wenming.core.models import User
from wenming.judging.models import Sheet
from wenming.results import services as results
from wenming.results.models import Run
from wenming.surveys.models import Response
from wenming.testing.browser import demo_site, log_in, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def after_window(campaign, action):
    return clock.window(campaign, action)[2] + datetime.timedelta(hours=1)


def test_a_surveyor_entry_after_the_window_shows_the_reason(phone, settings):
    campaign = demo_site(settings, "voting")
    before = Response.objects.count()
    with time_machine.travel(after_window(campaign, "survey")):
        enter_household(phone)
        phone.get_by_role("button", name="提交本户问卷").click()
        phone.wait_for_load_state()
        phone.shot("refusal-survey-entry-closed")
        assert "当前不在此时间内" in phone.locator("main").inner_text()
    assert Response.objects.count() == before


def test_an_expert_save_after_the_window_shows_the_reason(phone, settings):
    campaign = demo_site(settings, "expert")
    sheet = Sheet.objects.filter(assignment__expert__user__username="expert3", submitted_at__isnull=True).first()
    version = sheet.version
    with time_machine.travel(after_window(campaign, "score")):
        log_in(phone, "expert3")
        phone.goto(f"/judging/{sheet.assignment_id}/")
        for field in phone.locator("input[id^='s-']").all():
            field.fill("3")
        phone.get_by_role("button", name="保存", exact=True).click()
        phone.wait_for_load_state()
        phone.shot("refusal-expert-save-closed")
        assert "当前不在此时间内" in phone.locator("main").inner_text()
    sheet.refresh_from_db()
    assert sheet.version == version


def test_a_corrected_result_is_published_over_the_first_and_the_first_stays_in_the_history(phone, settings):
    campaign = demo_site(settings, "results")
    office = User.objects.get(username="office")
    award = campaign.awards.order_by("pk").last()  # the demo corrected the first award already
    first = results.published(campaign, award.key)
    fix = results.compute(campaign, award, office)
    for member in results.committee(campaign, award)[: results.quorum(campaign, award)]:
        results.confirm(campaign, fix, member)
    log_in(phone, "office")
    phone.goto("/results/office/")
    form = phone.locator(f"form[action='/results/office/runs/{fix.pk}/publish/']")
    form.get_by_role("button", name="更正公布").click()  # no reason: the phone asks for it, nothing is sent
    assert form.locator("textarea").evaluate("el => !el.validity.valid")
    phone.shot("correction-needs-a-reason")
    first.refresh_from_db()
    assert first.state == Run.State.PUBLISHED
    form.get_by_label("更正原因（必填，将公开显示）").fill("专家评分录入有误，经核对后重新计算")
    form.get_by_role("button", name="更正公布").click()
    phone.wait_for_load_state()
    assert "更正后的结果已公布，原结果保留在更正记录中" in phone.locator("main").inner_text()
    phone.shot("correction-published")
    phone.goto("/results/")
    main = phone.locator("main")
    assert "更正原因：专家评分录入有误，经核对后重新计算" in main.inner_text()
    history = main.locator("details.history").filter(has_text="专家评分录入有误")
    history.locator("summary").click()
    assert history.locator("article.result").count() == len(json.loads(first.body))
    phone.shot("public-history")
    first.refresh_from_db()
    assert first.state == Run.State.SUPERSEDED
