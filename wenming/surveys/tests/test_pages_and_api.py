import pytest
import time_machine
from django.urls import reverse

from wenming.surveys import services
from wenming.surveys.models import Response
from wenming.surveys.tests.test_survey import IN_WINDOW, answers
from wenming.testing.factories import make_resident, verified_session, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(campaign, world, surveyor, office):
    services.assign(campaign, office, surveyor, [world.community_a])
    return world.community_a


def form_data(campaign, client_id="page-000001", room="501"):
    data = {"client_id": client_id, "building": "3", "unit": "2", "room": room}
    data.update({f"q_{k}": v for k, v in answers(campaign).items()})
    return data


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_surveyor_enters_a_household_on_the_page(client, campaign, assigned, surveyor):
    client.force_login(surveyor)
    page = client.get(reverse("surveys:entry", args=[assigned.pk])).text
    assert "您是否支持创建全国文明城市？" in page and "已访 0/" in page
    response = client.post(reverse("surveys:entry", args=[assigned.pk]), form_data(campaign))
    assert response.status_code == 302 and Response.objects.get().household == "3-2-501"
    again = client.post(reverse("surveys:entry", args=[assigned.pk]), form_data(campaign, "page-000002"))
    assert again.status_code == 409 and "本轮已有问卷" in again.text
    missing = form_data(campaign, "page-000003", room="502")
    del missing["q_support"]
    assert client.post(reverse("surveys:entry", args=[assigned.pk]), missing).status_code == 400
    assert Response.objects.count() == 1


def test_scope_roles_and_methods(client, campaign, assigned, surveyor, company_a, world, office):
    client.force_login(surveyor)
    assert client.get(reverse("surveys:entry", args=[world.community_b.pk])).status_code == 404
    assert client.post(reverse("surveys:assign"), {"surveyor": surveyor.pk}).status_code == 403
    client.force_login(company_a)
    assert client.get(reverse("surveys:home")).status_code == 403
    client.force_login(office)
    assert client.get(reverse("surveys:assign")).status_code == 405
    assert client.put(reverse("surveys:entry", args=[assigned.pk])).status_code == 405
    assert "海州花园" in client.get(reverse("surveys:home")).text


def token(client, user):
    from wenming.core.models import ApiToken

    _, raw = ApiToken.issue(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@time_machine.travel(IN_WINDOW, tick=False)
def test_the_api_is_idempotent_by_client_id_and_refuses_a_second_household_response(client, campaign, assigned,
                                                                                     surveyor, company_a):
    headers = token(client, surveyor)
    body = {"client_id": "phone-abc-0001", "community_id": assigned.pk, "building": "5", "unit": "1", "room": "302",
            "answers": answers(campaign), "recorded_at": "2019-11-28T09:50:00+08:00"}
    url = "/api/v1/surveys/responses"
    first = client.post(url, body, content_type="application/json", **headers)
    assert first.status_code == 201 and first.json()["household"] == "5-1-302"
    replay = client.post(url, body, content_type="application/json", **headers)
    assert replay.status_code == 200 and replay.json()["id"] == first.json()["id"]
    second = client.post(url, {**body, "client_id": "phone-abc-0002"}, content_type="application/json", **headers)
    assert second.status_code == 409 and second.json()["error"]["message"].endswith("每户每轮只计一份")
    bad = {**body, "client_id": "phone-abc-0003", "room": "303", "answers": {**body["answers"], "support": "随便"}}
    assert client.post(url, bad, content_type="application/json", **headers).status_code == 422
    naive = {**body, "client_id": "phone-abc-0004", "room": "304", "recorded_at": "2019-11-28T09:50:00"}
    assert client.post(url, naive, content_type="application/json", **headers).status_code == 422
    other = {**body, "client_id": "phone-abc-0005", "community_id": 999999}
    assert client.post(url, other, content_type="application/json", **headers).status_code == 404
    assert client.post(url, body, content_type="application/json", **token(client, company_a)).status_code == 403
    assert client.get(url, **headers).status_code == 405
    assert Response.objects.count() == 1


@time_machine.travel(IN_WINDOW, tick=False)
def test_paper_questionnaires_import_all_or_nothing(client, campaign, assigned, office):
    questions = campaign.rules["survey"]["questions"]
    header = ["小区", "楼栋", "单元", "室号", *[q["text"] for q in questions]]
    good = ["海州花园", "1", "1", "101", *[answers(campaign)[q["key"]] for q in questions]]
    bad = ["海州花园", "1", "1", "102", *[answers(campaign)[q["key"]] for q in questions]]
    bad[4] = "也许"
    client.force_login(office)
    response = client.post(reverse("surveys:paper"), {"file": xlsx(header, [good, bad])})
    assert response.status_code == 302 and Response.objects.count() == 0
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages and messages[0].startswith("第 3 行：")
    client.post(reverse("surveys:paper"), {"file": xlsx(header, [good])})
    assert Response.objects.get().channel == "paper"


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_resident_self_fills_after_phone_verification_and_is_counted_the_same_way(client, settings, campaign,
                                                                                     assigned, surveyor):

    url = reverse("surveys:self_fill", args=[assigned.pk])
    assert "验证手机号" in client.get(url).text
    verified_session(client, make_resident("13912345678"))
    data = {**form_data(campaign, "self-000001"), "step": "answer"}
    response = client.post(url, data)
    assert response.status_code == 200 and "感谢参与" in response.text
    assert Response.objects.get().channel == "self" and Response.objects.get().resident.phone == "13912345678"
    # the same household again, by a surveyor: refused
    client.force_login(surveyor)
    again = client.post(reverse("surveys:entry", args=[assigned.pk]), form_data(campaign, "page-000009"))
    assert again.status_code == 409 and Response.objects.count() == 1
    assert client.get(reverse("surveys:self_fill", args=[999999])).status_code == 404


def test_an_entry_outside_the_survey_window_is_refused_in_chinese_not_a_500(client, campaign, assigned, surveyor):
    client.force_login(surveyor)
    url = reverse("surveys:entry", args=[assigned.pk])
    with time_machine.travel("2019-11-25 23:59:59 +0800", tick=False):
        response = client.post(url, form_data(campaign))
    assert response.status_code == 409 and "当前不在此时间内" in response.text
    assert Response.objects.count() == 0


def test_a_self_fill_after_the_window_shows_the_refusal_on_the_form_not_a_500(client, campaign, assigned):

    verified_session(client, make_resident("13912345678"))
    url = reverse("surveys:self_fill", args=[assigned.pk])
    with time_machine.travel("2019-12-06 10:00 +0800", tick=False):
        response = client.post(url, {**form_data(campaign, "self-000002"), "step": "answer"})
    assert response.status_code == 409
    assert "当前不在此时间内" in response.text and 'name="building"' in response.text
    assert Response.objects.count() == 0
