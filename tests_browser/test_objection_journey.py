"""公示异议 at phone size: a resident finds the link on the results page, proves a phone,
is told what is missing, files, and sees the office's public answer; after the publicity
period the page says it has ended."""

import datetime

import pytest
import time_machine

from tests_browser.test_phone_journey import verify
from wenming.core.models import User
from wenming.results import services
from wenming.results.models import Objection
from wenming.testing.browser import demo_site, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def test_a_resident_objects_to_a_result_and_reads_the_answer(phone, settings):
    campaign = demo_site(settings, "results")
    award = campaign.awards.order_by("pk").last()
    run = services.published(campaign, award.key)
    before = Objection.objects.count()
    phone.goto("/results/")
    section = phone.locator("main section", has_text=award.name).first
    section.get_by_role("link", name="提出异议").click()
    verify(phone, "13905189999")
    phone.fill("#id_name", "李先生")
    phone.fill("#id_reason", "太短了")
    phone.get_by_role("button", name="提交异议").click()
    phone.wait_for_load_state()
    main = phone.locator("main")
    assert "请写明异议的事实和理由（至少 10 个字）" in main.inner_text()
    assert phone.input_value("#id_name") == "李先生"  # what was typed is kept
    phone.shot("objection-reason-too-short")
    assert Objection.objects.count() == before
    phone.fill("#id_reason", "第二名所在小区门口长期堆放垃圾，与申报照片不符，请实地复核。")
    phone.get_by_role("button", name="提交异议").click()
    phone.wait_for_load_state()
    assert "异议已提交" in main.inner_text()
    phone.shot("objection-filed")
    objection = Objection.objects.get(run=run, name="李先生")
    services.decide_objection(campaign, objection, User.objects.get(username="office"), upheld=False,
                              answer="经实地复核，该小区环境整洁，与申报照片相符，异议不成立。")
    phone.goto("/results/")
    assert f"{objection}：异议不成立。答复：经实地复核" in main.inner_text()
    assert "李先生" not in main.inner_text()
    phone.shot("objection-answered")
    closes = services.objection_window(campaign, run)[1]
    with time_machine.travel(closes + datetime.timedelta(hours=1)):
        phone.goto(f"/results/runs/{run.pk}/objection/")
        assert "不再受理异议" in main.inner_text()
        assert phone.get_by_role("button", name="提交异议").count() == 0
        phone.shot("objection-period-over")
