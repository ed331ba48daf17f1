"""The questionnaire pages keep every answer across a refusal and show each error where it
belongs: a household's second response at the household, other refusals at the top, an
unanswered question at the question."""

import re

import pytest
import time_machine
from django.urls import reverse

from wenming.surveys import services
from wenming.surveys.models import Response
from wenming.surveys.tests.test_pages_and_api import form_data
from wenming.surveys.tests.test_survey import IN_WINDOW
from wenming.testing.factories import make_resident, verified_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(campaign, world, surveyor, office):
    services.assign(campaign, office, surveyor, [world.community_a])
    return world.community_a


def checked(page):
    """{question field: the checked choice} as the page shows it."""
    return dict(re.findall(r'<input type="radio" name="(q_[^"]+)" value="([^"]+)"[^>]*checked', page))


def varied(campaign):
    """Answers that are not all the first choice, so keeping them is visible."""
    data = form_data(campaign, "dup-0000002")
    for q in campaign.rules["survey"]["questions"]:
        choices = q.get("choices") or campaign.rules["survey"]["scale"]
        data[f"q_{q['key']}"] = choices[-1]
    return data


@time_machine.travel(IN_WINDOW, tick=False)
def test_a_duplicate_household_keeps_every_answer_and_says_so_at_the_household(client, campaign, assigned,
                                                                                surveyor):
    client.force_login(surveyor)
    url = reverse("surveys:entry", args=[assigned.pk])
    assert client.post(url, form_data(campaign, "dup-0000001")).status_code == 302
    data = varied(campaign)
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 409
    household = re.search(r'<div class="household-errors" id="household-errors">(.*?)</div>', page, re.S).group(1)
    assert "3-2-501 本轮已有问卷，每户每轮只计一份" in household
    questions = {k: v for k, v in data.items() if k.startswith("q_")}
    assert len(questions) >= 12 and checked(page) == questions
    for name in ("building", "unit", "room"):
        assert f'name="{name}" value="{data[name]}"' in page
    assert 'value="dup-0000002"' in page  # the same entry id: a corrected retry is still one entry
    assert Response.objects.count() == 1


@time_machine.travel(IN_WINDOW, tick=False)
def test_an_unanswered_question_is_named_at_the_top_and_marked_at_the_question(client, campaign, assigned,
                                                                              surveyor):
    client.force_login(surveyor)
    data = varied(campaign)
    del data["q_support"], data["room"]
    response = client.post(reverse("surveys:entry", args=[assigned.pk]), data)
    page = response.content.decode()
    assert response.status_code == 400 and "请填写户号并回答全部问题" in page and "请填写室号" in page
    assert re.search(r'未答：<a href="#q-q_support">', page)
    assert re.search(r'id="q-q_support">.*?<p class="error">请选择</p>', page, re.S)
    assert len(checked(page)) == len([k for k in data if k.startswith("q_")])
    assert not Response.objects.exists()


def test_a_refusal_after_the_window_is_at_the_top_with_the_answers_kept(client, campaign, assigned, surveyor):
    client.force_login(surveyor)
    data = varied(campaign)
    with time_machine.travel("2019-12-20 10:00 +0800", tick=False):
        response = client.post(reverse("surveys:entry", args=[assigned.pk]), data)
    page = response.content.decode()
    assert response.status_code == 409
    top = re.search(r'id="survey-errors">(.*?)</div>', page, re.S).group(1)
    assert "当前不在此时间内" in top
    assert checked(page) == {k: v for k, v in data.items() if k.startswith("q_")}
    assert not Response.objects.exists()


@time_machine.travel(IN_WINDOW, tick=False)
def test_the_self_fill_page_shows_its_errors_at_the_fields_and_the_duplicate_at_the_household(client, campaign,
                                                                                             assigned, surveyor):
    client.force_login(surveyor)
    client.post(reverse("surveys:entry", args=[assigned.pk]), form_data(campaign, "dup-0000001"))
    client.logout()
    verified_session(client, make_resident("13912345678"))
    url = reverse("surveys:self_fill", args=[assigned.pk])
    data = {**varied(campaign), "step": "answer"}
    del data["q_support"]
    page = client.post(url, data).content.decode()
    assert re.search(r'id="q-q_support">.*?<p class="error">请选择</p>', page, re.S)
    data["q_support"] = "支持"
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 409 and "本轮已有问卷" in re.search(
        r'id="household-errors">(.*?)</div>', page, re.S).group(1)
    assert checked(page)["q_support"] == "支持" and Response.objects.count() == 1
