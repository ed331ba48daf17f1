"""The checklist is one form: saved at once, every tick, note and photo kept across an error,
and a submit with unanswered items refused until the inspector confirms it."""

import re

import pytest
from django.urls import reverse

from wenming.supervision import services
from wenming.supervision.models import Finding, Inspection, Photo, RectificationOrder
from wenming.supervision.tests.test_views import jpeg
from wenming.testing.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(campaign, world, haizhou_officer, at):
    at("2019-09-09 10:00 +0800")
    return services.start_inspection(campaign, haizhou_officer, world.community_a, Inspection.Kind.REGULAR)


def url(inspection):
    return reverse("supervision:inspection", args=[inspection.pk])


def every_item(campaign):
    """A whole checklist, every item answered: measured ones in range, the others passed but one."""
    data = {}
    for key, item in services.checklist(campaign).items():
        if item.get("measure"):
            low, high = item["measure"].get("min"), item["measure"].get("max")
            data[f"value_{key}"] = str(low if low is not None else high)
        else:
            data[f"verdict_{key}"] = "pass"
    data.update({"verdict_EN1": "fail", "note_EN1": "草坪烟头", "location_EN1": "5 号楼北侧", "severity_EN1": "major"})
    return data


def test_one_bad_item_keeps_every_tick_note_and_photo_and_saves_nothing(client, campaign, draft, haizhou_officer,
                                                                       django_capture_on_commit_callbacks):
    client.force_login(haizhou_officer)
    data = every_item(campaign)
    data["value_AD1"] = "很多"  # not a number
    response = client.post(url(draft), {**data, "photos_EN1": [jpeg()]})
    page = response.content.decode()
    assert response.status_code == 400 and "未保存" in page and "实测值须为数字" in page
    assert re.search(r'id="e-AD1" role="alert">实测值须为数字', page)
    ticks = dict(re.findall(r'name="verdict_([^"]+)" value="(pass|fail)" data-answer checked', page))
    assert ticks == {k[len("verdict_"):]: v for k, v in data.items() if k.startswith("verdict_")}
    assert 'value="草坪烟头"' in page and 'value="5 号楼北侧"' in page and 'value="很多"' in page
    assert '<option value="major" selected>' in page and "已保留 1 张照片" in page
    assert not Finding.objects.exists() and not Photo.objects.exists()

    token = re.search(r'name="kept_EN1" value="([^"]+)"', page).group(1)
    data["value_AD1"] = "6"
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(url(draft), {**data, "kept_EN1": token}, follow=True)
    total = len(services.checklist(campaign))
    # SV0 is read from the survey, not counted as the inspector's
    assert f"已保存 {total - 1} 项，共已填 {total}/{total} 项" in saved.content.decode()
    assert Finding.objects.filter(inspection=draft).count() == total
    assert Finding.objects.get(item="EN1").photos.count() == 1


def test_an_incomplete_submit_names_what_is_missing_and_needs_a_confirmation(client, campaign, draft,
                                                                            haizhou_officer):
    client.force_login(haizhou_officer)
    items = services.checklist(campaign)
    two = {"verdict_EN1": "pass", "verdict_EN2": "pass", "then": "submit"}
    response = client.post(url(draft), two)
    page = response.content.decode()
    assert response.status_code == 400 and f"还有 {len(items) - 2} 项未填写，确认后才能提交" in page
    missing = re.search(r'<ul id="missing-items">(.*?)</ul>', page, re.S).group(1)
    assert items["AD1"]["text"] in missing and items["EN1"]["text"] not in missing
    assert 'name="confirm_incomplete"' in page and "data-confirm hidden" not in page
    assert re.search(r'name="verdict_EN2" value="pass" data-answer checked', page)  # the two ticks are kept
    draft.refresh_from_db()
    assert draft.state == "draft" and not Finding.objects.exists()  # nothing saved: not even the two items

    done = client.post(url(draft), {**two, "confirm_incomplete": "1"})
    assert done.status_code == 302 and done.url == reverse("supervision:report", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.state == "submitted" and Finding.objects.filter(inspection=draft).count() == 2


def test_a_complete_checklist_submits_at_once_with_its_orders(client, campaign, draft, haizhou_officer):
    client.force_login(haizhou_officer)
    response = client.post(url(draft), {**every_item(campaign), "then": "submit"}, follow=True)
    # EN1 as ticked, and SV0, which reads the survey's coverage (no response yet: 0% < 60%), whatever was typed
    assert "检查已提交，2 项不合格，已下达整改通知" in response.content.decode()
    assert RectificationOrder.objects.filter(finding__inspection=draft).count() == 2


def test_the_checklist_form_checks_scope_role_and_method(client, campaign, draft, lianyun_officer, company_b,
                                                        expert, world):
    for user in (lianyun_officer, company_b):
        client.force_login(user)
        assert client.post(url(draft), {"verdict_EN1": "pass"}).status_code == 404
    client.force_login(expert)
    assert client.post(url(draft), {"verdict_EN1": "pass"}).status_code == 403
    colleague = make_user("haizhou2", role="district", district=world.haizhou)
    client.force_login(colleague)  # same district, not this inspection's inspector
    assert client.post(url(draft), {"verdict_EN1": "pass"}).status_code == 403
    assert client.put(url(draft)).status_code == 405
    assert not Finding.objects.exists()
