"""Refusals at phone size: an action after its window shows the Chinese reason, never a 500."""

import datetime

import pytest
import time_machine

from tests_browser.test_scoring_journeys import enter_household
from wenming.campaigns import clock
from wenming.judging.models import Sheet
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
