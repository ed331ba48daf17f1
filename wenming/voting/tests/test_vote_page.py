import json

import time_machine
from django.urls import reverse

from wenming.voting.models import Vote

VOTING_DAY = "2019-11-28 10:00 +0800"


def verify(client, settings, url, phone="13800138000"):
    client.post(url, {"step": "send", "phone": phone})
    code = json.loads((settings.OUTBOX_DIR / "sms.jsonl").read_text().splitlines()[-1])["code"]
    client.post(url, {"step": "verify", "phone": phone, "code": code, "consent": "on"})


def test_verify_then_vote_then_receipt(client, settings, candidates):
    url = reverse("voting:vote", args=[candidates[0].pk])
    with time_machine.travel(VOTING_DAY, tick=False):
        assert "验证手机号" in client.get(url).text
        verify(client, settings, url)
        page = client.get(url)
        assert "138****8000" in page.text and "13800138000" not in page.text
        assert "每人每天每个奖项最多投 5 票，每位候选每天 1 票" in page.text  # from the preset's rules
        key = page.context["form"].initial["idempotency_key"]
        response = client.post(url, {"step": "vote", "idempotency_key": key})
        again = client.post(url, {"step": "vote", "idempotency_key": key})  # a double tap
    vote = Vote.objects.get()
    assert response.status_code == 302 and response.url == reverse("voting:receipt", args=[vote.receipt])
    assert again.status_code == 302 and again.url == response.url
    assert vote.receipt in client.get(response.url).text


def test_a_second_vote_for_the_same_candidate_today_is_refused_on_the_page(client, settings, candidates):
    url = reverse("voting:vote", args=[candidates[0].pk])
    with time_machine.travel(VOTING_DAY, tick=False):
        verify(client, settings, url)
        client.post(url, {"step": "vote", "idempotency_key": "11111111-1111-4111-8111-111111111111"})
        response = client.post(url, {"step": "vote", "idempotency_key": "22222222-2222-4222-8222-222222222222"})
    assert response.status_code == 409 and "今天已为该候选投过票" in response.text
    assert Vote.objects.count() == 1


def test_the_honeypot_and_the_window(client, settings, candidates):
    url = reverse("voting:vote", args=[candidates[0].pk])
    with time_machine.travel(VOTING_DAY, tick=False):
        verify(client, settings, url)
        bot = client.post(url, {"step": "vote", "idempotency_key": "11111111-1111-4111-8111-111111111111",
                                "website": "x"})
    assert bot.status_code == 400
    with time_machine.travel("2019-12-05 23:58 +0800", tick=False) as t:
        client.cookies.clear()
        verify(client, settings, url, phone="13900139000")
        t.move_to("2019-12-06 00:00 +0800")
        late = client.post(url, {"step": "vote", "idempotency_key": "33333333-3333-4333-8333-333333333333"})
    assert late.status_code == 403 and "投票时间为" in late.text
    assert not Vote.objects.exists()


def test_unpublished_candidates_have_no_vote_page(client, candidates):
    candidates[0].published_at = None
    candidates[0].save()
    assert client.get(reverse("voting:vote", args=[candidates[0].pk])).status_code == 404
    assert client.get(reverse("voting:vote", args=["x"])).status_code == 404
    assert client.get(reverse("voting:receipt", args=["nope"])).status_code == 404


def test_the_public_leaderboard_page(client, candidates, campaign):
    from wenming.core.models import Resident
    from wenming.voting import services

    resident = Resident.objects.create(phone="13800138001", consent_version="2019.1", consented_at="2019-11-01T00:00Z")
    with time_machine.travel(VOTING_DAY, tick=False):
        services.cast_vote(campaign.pk, resident.pk, candidates[2].pk)
    page = client.get(reverse("voting:leaderboard")).text
    assert "文明示范小区" in page and f"{candidates[2].title}</a> <strong>1</strong> 票" in page
    rules = campaign.rules
    rules["voting"]["counts_visibility"] = "hidden"
    campaign.rule_sets.filter(version=campaign.rules_version).update(data=rules)
    hidden = client.get(reverse("voting:leaderboard")).text
    assert "不公开实时票数" in hidden and "<strong>1</strong> 票" not in hidden
