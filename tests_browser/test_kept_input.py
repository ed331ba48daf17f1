"""Nobody loses what they typed (issue 16, point 4), at phone size: an expert's sheet with one
bad score keeps every other score and comment; an inspection keeps all ticks across an error,
is saved at once and warns before an incomplete submit, naming what is missing;
recommendation photos survive an error; a duplicate household keeps its answers and the survey
page shows its errors."""

import io
import json

import pytest
from django.conf import settings as django_settings
from PIL import Image
from playwright.sync_api import expect

from tests_browser.test_scoring_journeys import enter_household
from wenming.awards.models import Recommendation
from wenming.judging.models import Sheet
from wenming.registry.models import Community
from wenming.supervision import services
from wenming.supervision.models import Finding, Inspection
from wenming.surveys.models import Response
from wenming.testing.browser import demo_site, log_in, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def photo(tmp_path, name, colour):
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def narrow(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_an_expert_sheet_with_one_bad_score_keeps_every_other_score_and_comment(phone, settings):
    demo_site(settings, "expert")
    sheet = Sheet.objects.filter(assignment__expert__user__username="expert3", submitted_at__isnull=True).first()
    version = sheet.version
    log_in(phone, "expert3")
    phone.goto(f"/judging/{sheet.assignment_id}/")
    fields = phone.locator("input[id^='s-']").all()
    for n, field in enumerate(fields):
        field.fill("2")
        name = field.get_attribute("name").replace("s_", "c_", 1)
        phone.locator(f"input[name='{name}']").fill(f"扣分说明{n}")
    bad = fields[2]
    bad_key = bad.get_attribute("name")[2:]
    bad.fill("99")
    phone.shot("sheet-typed")
    phone.get_by_role("button", name="保存", exact=True).click()
    phone.wait_for_load_state()
    expect(phone.locator("#sheet-errors")).to_contain_text("未保存")
    item = phone.locator(f"[id='item-{bad_key}']")
    expect(item.locator("p.error")).to_contain_text("分之间")
    assert phone.locator(f"[id='s-{bad_key}']").input_value() == "99"
    for n, field in enumerate(phone.locator("input[id^='s-']").all()):
        name = field.get_attribute("name")
        assert field.input_value() == ("99" if name == f"s_{bad_key}" else "2")
        assert phone.locator(f"input[name='c_{name[2:]}']").input_value() == f"扣分说明{n}"
    assert narrow(phone)
    phone.shot("sheet-error-kept")
    sheet.refresh_from_db()
    assert sheet.version == version and not any(v == "99" for v in sheet.scores.values())

    phone.locator(f"[id='s-{bad_key}']").fill("1")
    phone.get_by_role("button", name="保存", exact=True).click()
    phone.wait_for_load_state()
    expect(phone.locator("main .messages")).to_contain_text("已保存")
    phone.shot("sheet-saved")
    sheet.refresh_from_db()
    assert sheet.version == version + 1 and sheet.scores[bad_key] == "1.0"
    assert sheet.comments[bad_key] == "扣分说明2"


def start_inspection(phone):
    log_in(phone, "haizhou")
    community = Community.objects.filter(district__name="海州区").order_by("-pk").first()
    phone.goto("/supervision/inspections/new/")
    phone.select_option("#id_community", str(community.pk))
    phone.select_option("#id_kind", "regular")
    phone.click("main button[type=submit]")
    phone.wait_for_url("**/supervision/inspections/*/")
    return Inspection.objects.filter(community=community, kind="regular").latest("started_at")


def test_an_inspection_keeps_every_tick_across_an_error_and_warns_before_an_incomplete_submit(phone, settings):
    campaign = demo_site(settings, "voting", with_awards=False)
    inspection = start_inspection(phone)
    hint = phone.locator("[data-hint-for=checklist]")
    expect(hint).to_contain_text("项未填写")  # said before anything is sent
    passed = ["EN2", "EN3", "SV1", "SV2"]
    for key in passed:
        phone.locator(f"#item-{key} input[value=pass]").check()
    phone.fill("#v-AD1", "6")
    phone.locator("#item-EN1 input[value=fail]").check()  # a failure without its description
    phone.locator("#item-EN1 summary").click()
    phone.fill("#l-EN1", "5 号楼北侧")
    phone.shot("checklist-ticked")
    phone.get_by_role("button", name="保存", exact=True).click()
    phone.wait_for_load_state()
    expect(phone.locator("#checklist-errors")).to_contain_text("不合格项须填写问题描述")
    expect(phone.locator("#item-EN1 p.error")).to_contain_text("不合格项须填写问题描述")
    for key in passed:
        assert phone.locator(f"#item-{key} input[value=pass]").is_checked()
    assert phone.locator("#item-EN1 input[value=fail]").is_checked()
    assert phone.input_value("#v-AD1") == "6" and phone.input_value("#l-EN1") == "5 号楼北侧"
    assert narrow(phone)
    phone.shot("checklist-error-kept")
    assert not Finding.objects.filter(inspection=inspection).exists()

    phone.fill("#n-EN1", "草坪内烟头纸屑")
    phone.get_by_role("button", name="保存", exact=True).click()  # the whole checklist at once
    phone.wait_for_load_state()
    expect(phone.locator("main .messages")).to_contain_text("已保存 6 项，共已填 7/")
    assert Finding.objects.filter(inspection=inspection).count() == 7  # and SV0, read from the survey

    phone.get_by_role("button", name="提交检查").click()
    phone.wait_for_load_state()
    warning = phone.locator("#checklist-errors")
    expect(warning).to_contain_text("项未填写，确认后才能提交")
    expect(phone.locator("#missing-items li").first).to_be_visible()
    items = services.checklist(campaign)
    missing = phone.locator("#missing-items").inner_text()
    assert items["EN1"]["text"] not in missing and sum(text in missing for text in
                                                       (i["text"] for i in items.values())) == len(items) - 7
    phone.shot("checklist-incomplete-warning")
    inspection.refresh_from_db()
    assert inspection.state == "draft"
    phone.check("input[name=confirm_incomplete]")
    phone.get_by_role("button", name="提交检查").click()
    phone.wait_for_url("**/report/")
    # EN1, and SV0: no survey in this demo, so the coverage it reads is 0% (< 60%)
    expect(phone.locator("main .messages")).to_contain_text("检查已提交，2 项不合格")
    phone.shot("checklist-submitted")
    inspection.refresh_from_db()
    assert inspection.state == "submitted"


def last_code():
    return json.loads((django_settings.OUTBOX_DIR / "sms.jsonl").read_text().splitlines()[-1])["code"]


def test_recommendation_photos_survive_an_error(phone, settings, tmp_path):
    demo_site(settings, "apply", with_awards=False)
    phone.goto("/recommend/")
    phone.fill("#id_phone", "13912345678")
    phone.click("#send-code")
    phone.wait_for_load_state()
    phone.fill("#id_code", last_code())
    phone.check("#id_consent")
    phone.click("#verify")
    phone.wait_for_load_state()
    community = Community.objects.select_related("district").order_by("pk").first()
    phone.select_option("#id_district", str(community.district_id))
    phone.select_option("#id_community", str(community.pk))
    phone.fill("#id_reason", "很好")  # too short
    phone.set_input_files("#id_photos", [photo(tmp_path, "gate.jpg", (200, 60, 40)),
                                          photo(tmp_path, "garden.jpg", (40, 160, 60))])
    phone.shot("recommend-typed")
    phone.get_by_role("button", name="提交推荐").click()
    phone.wait_for_load_state()
    expect(phone.locator("main")).to_contain_text("推荐理由请至少写 10 个字")
    expect(phone.locator(".kept-photos")).to_contain_text("已保留 2 张照片")
    kept = phone.locator(".kept-photos img")
    assert kept.count() == 2
    for img in kept.all():  # shown again, served to this browser
        assert phone.evaluate("(el) => el.complete && el.naturalWidth > 0", img.element_handle())
    assert phone.input_value("#id_reason") == "很好" and narrow(phone)
    phone.shot("recommend-error-photos-kept")
    assert not Recommendation.objects.exists()

    phone.fill("#id_reason", "小区环境干净整洁，物业服务热情周到。")
    phone.get_by_role("button", name="提交推荐").click()
    phone.wait_for_load_state()
    expect(phone.locator("main")).to_contain_text("推荐已提交")
    phone.shot("recommend-done")
    assert Recommendation.objects.get().attachments.count() == 2


def test_a_duplicate_household_keeps_its_answers_and_the_page_shows_the_error(phone, settings):
    demo_site(settings, "voting")
    enter_household(phone)
    phone.get_by_role("button", name="提交本户问卷").click()
    expect(phone.locator("main .messages")).to_contain_text("1-2-1502 已记录")
    before = Response.objects.count()

    # the same household again, with other answers (the last choice everywhere)
    phone.fill("#id_building", "1")
    phone.fill("#id_unit", "2")
    phone.fill("#id_room", "1502")
    questions = phone.locator("fieldset.question").all()
    for question in questions:
        question.locator("input[type=radio]").last.check()
    chosen = {q.locator("input[type=radio]").last.get_attribute("name"): q.locator("input[type=radio]").last
              .get_attribute("value") for q in questions}
    assert len(chosen) >= 12
    phone.get_by_role("button", name="提交本户问卷").click()
    expect(phone.locator("#household-errors")).to_contain_text("1-2-1502 本轮已有问卷")
    for name, value in chosen.items():
        assert phone.locator(f"input[name='{name}'][value='{value}']").is_checked()
    assert phone.input_value("#id_room") == "1502" and narrow(phone)
    phone.shot("survey-duplicate-kept")
    assert Response.objects.count() == before

    # a missing answer: said at the top and at the question
    phone.fill("#id_room", "1601")
    phone.evaluate("document.querySelectorAll('fieldset.question')[0].querySelectorAll('input').forEach(r => r.checked = false)")
    phone.get_by_role("button", name="提交本户问卷").click()
    phone.wait_for_load_state()
    expect(phone.locator("#survey-errors")).to_contain_text("请填写户号并回答全部问题")
    expect(phone.locator("fieldset.question").first.locator("p.error")).to_contain_text("请选择")
    phone.shot("survey-missing-answer")
    phone.locator("fieldset.question").first.locator("input[type=radio]").first.check()
    phone.get_by_role("button", name="提交本户问卷").click()
    expect(phone.locator("main .messages")).to_contain_text("1-2-1601 已记录")
    assert Response.objects.count() == before + 1
