"""The endpoints survey-queue.js sends kept entries to: JSON answers, exactly once by client_id."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from wenming.surveys import services
from wenming.surveys.models import Response
from wenming.surveys.tests.test_pages_and_api import form_data
from wenming.surveys.tests.test_survey import IN_WINDOW
from wenming.testing.factories import make_resident, verified_session

pytestmark = pytest.mark.django_db
QUEUED = {"HTTP_X_SURVEY_QUEUE": "1"}


@pytest.fixture
def assigned(campaign, world, surveyor, office):
    services.assign(campaign, office, surveyor, [world.community_a])
    return world.community_a


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_kept_entry_is_recorded_once_however_often_it_is_sent(client, campaign, assigned, surveyor):
    client.force_login(surveyor)
    url = reverse("surveys:queue_entry", args=[assigned.pk])
    first = client.post(url, form_data(campaign, "kept-000001"), **QUEUED)
    assert first.status_code == 201 and first.json()["ok"] and first.json()["household"] == "3-2-501"
    assert first.json()["next"] == reverse("surveys:entry", args=[assigned.pk])
    again = client.post(url, form_data(campaign, "kept-000001"), **QUEUED)  # its first answer was lost
    assert again.status_code == 200 and again.json()["ok"] and "未重复计数" in again.json()["message"]
    assert Response.objects.count() == 1 and Response.objects.get().surveyor == surveyor


@time_machine.travel(IN_WINDOW, tick=False)
def test_an_entry_made_offline_counts_for_when_it_was_made(client, campaign, assigned, surveyor):
    client.force_login(surveyor)
    made = datetime.datetime.fromisoformat(IN_WINDOW) - datetime.timedelta(hours=2)
    data = {**form_data(campaign, "kept-000002"), "started_at": (made - datetime.timedelta(minutes=3)).isoformat(),
            "recorded_at": made.isoformat()}
    assert client.post(reverse("surveys:queue_entry", args=[assigned.pk]), data, **QUEUED).status_code == 201
    response = Response.objects.get()
    assert response.recorded_at == made and response.duration_seconds == 180


@time_machine.travel(IN_WINDOW, tick=False)
def test_refusals_answer_json_and_write_nothing(client, campaign, assigned, surveyor, world, company_a):
    client.force_login(surveyor)
    url = reverse("surveys:queue_entry", args=[assigned.pk])
    missing = form_data(campaign, "kept-000003")
    del missing["q_support"]
    bad = client.post(url, missing, **QUEUED)
    assert bad.status_code == 400 and not bad.json()["ok"] and "q_support" in bad.json()["fields"]
    assert client.post(url, form_data(campaign, "kept-000004"), **QUEUED).status_code == 201
    second = client.post(url, form_data(campaign, "kept-000005"), **QUEUED)  # the same household again
    assert second.status_code == 409 and "本轮已有问卷" in second.json()["message"]
    future = {**form_data(campaign, "kept-000006", room="502"), "recorded_at": "2030-01-01T00:00:00+08:00"}
    assert client.post(url, future, **QUEUED).status_code == 400
    assert Response.objects.count() == 1
    # outsider → 404, wrong role → 403, wrong method → 405, signed out → the login page
    assert client.post(reverse("surveys:queue_entry", args=[world.community_b.pk]), form_data(campaign, "kept-7"
                       "00000"), **QUEUED).status_code == 404
    assert client.get(url).status_code == 405
    client.force_login(company_a)
    assert client.post(url, form_data(campaign, "kept-000008"), **QUEUED).status_code == 403
    client.logout()
    assert client.post(url, form_data(campaign, "kept-000009"), **QUEUED).status_code == 302
    assert Response.objects.count() == 1


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_residents_kept_entry_needs_the_verified_phone(client, campaign, assigned):
    url = reverse("surveys:queue_self_fill", args=[assigned.pk])
    data = {**form_data(campaign, "self-kept-01"), "step": "answer"}
    unverified = client.post(url, data, **QUEUED)
    assert unverified.status_code == 401 and "重新验证" in unverified.json()["message"]
    verified_session(client, make_resident("13912345678"))
    done = client.post(url, data, **QUEUED, HTTP_X_SURVEY_CURRENT="1")
    assert done.status_code == 201 and done.json()["next"] == reverse("surveys:self_fill_thanks", args=[assigned.pk])
    assert client.post(url, data, **QUEUED).status_code == 200
    assert Response.objects.get().channel == "self"
    thanks = client.get(done.json()["next"])
    assert "感谢参与" in thanks.text and "已记录" in thanks.text  # the message of the entry just made
    assert client.get(reverse("surveys:self_fill_thanks", args=[999999])).status_code == 404


@time_machine.travel(IN_WINDOW, tick=False)
def test_both_questionnaire_pages_carry_the_queue_and_the_self_fill_page_shows_its_messages(
        client, campaign, assigned, surveyor):
    verified_session(client, make_resident("13912345678"))
    url = reverse("surveys:self_fill", args=[assigned.pk])
    missing = {**form_data(campaign, "self-page-01"), "step": "answer"}
    del missing["q_support"]
    page = client.post(url, missing)
    assert page.status_code == 400 and "请填写户号并回答全部问题" in page.text  # a message, on a public page
    assert 'id="survey-queue"' in page.text and reverse("surveys:queue_self_fill", args=[assigned.pk]) in page.text
    client.force_login(surveyor)
    entry = client.get(reverse("surveys:entry", args=[assigned.pk])).text
    assert "wenming/survey-queue.js" in entry and reverse("surveys:queue_entry", args=[assigned.pk]) in entry
