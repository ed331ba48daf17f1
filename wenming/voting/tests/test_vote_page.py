import json

import time_machine
from django.urls import reverse

from wenming.testing.factories import set_rules
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
    set_rules(campaign, rules)
    hidden = client.get(reverse("voting:leaderboard")).text
    assert "不公开实时票数" in hidden and "<strong>1</strong> 票" not in hidden


def test_the_phone_check_is_one_form_named_for_the_candidate_and_kept_across_a_reload(client, settings, candidates):
    url = reverse("voting:vote", args=[candidates[0].pk])
    with time_machine.travel(VOTING_DAY, tick=False):
        page = client.get(url).text
        assert page.count('name="phone"') == 1 and page.count('id="id_phone"') == 1
        assert 'inputmode="numeric"' in page and 'autocomplete="one-time-code"' in page and 'type="tel"' in page
        assert "为“候选小区0”投票" in page
        sent = client.post(url, {"step": "send", "phone": "13800138000"})
        assert sent.status_code == 302 and sent.url == url  # a reload repeats no POST
        again = client.get(url)  # the reload: the phone and the wait before another code are kept
        assert again.context["form"]["phone"].value() == "13800138000" and again.context["retry_after"] == 60
        assert "验证码已发送至 138****8000" in again.text and 'data-retry-after="60"' in again.text
    with time_machine.travel("2019-11-28 10:00:45 +0800", tick=False):
        assert client.get(url).context["retry_after"] == 15
        too_soon = client.post(url, {"step": "send", "phone": "13800138000", "code": "12"})
        assert too_soon.status_code == 429 and too_soon.context["retry_after"] == 16
        bad = client.post(url, {"step": "verify", "phone": "13800138000", "code": "12"})
        assert bad.status_code == 400 and "验证码为 6 位数字" in bad.text and "请阅读并同意" in bad.text
        assert bad.context["form"]["phone"].value() == "13800138000"


def test_the_vote_button_says_at_once_when_todays_votes_are_used_up(client, settings, candidates):
    from wenming.core.models import Resident
    from wenming.voting.models import DailyQuota, Voter

    with time_machine.travel(VOTING_DAY, tick=False):
        verify(client, settings, reverse("voting:vote", args=[candidates[0].pk]))
        page = client.get(reverse("voting:vote", args=[candidates[0].pk])).text
        assert "为“候选小区0”投一票" in page and "disabled" not in page
        client.post(reverse("voting:vote", args=[candidates[0].pk]),
                    {"step": "vote", "idempotency_key": "11111111-1111-4111-8111-111111111111"})
        voted = client.get(reverse("voting:vote", args=[candidates[0].pk])).text
        assert "今天已为该候选投过票" in voted and "今天不能再投" in voted
        assert "今天不能再投" not in client.get(reverse("voting:vote", args=[candidates[1].pk])).text
        voter = Voter.objects.get(resident=Resident.objects.get(phone="13800138000"))
        DailyQuota.objects.filter(voter=voter).update(used=5)  # the other four votes of the day
        used_up = client.get(reverse("voting:vote", args=[candidates[1].pk])).text
        assert "该奖项今天的 5 票已投完" in used_up and "今天不能再投" in used_up
    with time_machine.travel("2019-11-29 10:00 +0800", tick=False):  # a new day
        assert "今天不能再投" not in client.get(reverse("voting:vote", args=[candidates[1].pk])).text
    with time_machine.travel("2019-12-06 10:00 +0800", tick=False):  # voting over
        client.logout()
        verify(client, settings, reverse("voting:vote", args=[candidates[1].pk]))
        closed = client.get(reverse("voting:vote", args=[candidates[1].pk])).text
        assert "今天不能再投" in closed and "投票时间" in closed


def test_the_session_holds_no_phone_number_pending_or_verified(client, settings, candidates):
    """Sessions are stored like any table (database or cache): the phone step keeps the number
    encrypted while a code is pending and only the resident's id once verified."""
    from wenming.core.models import Resident

    def stored():
        # the session's data as the store serializes it (JSON), before signing and compressing
        return json.dumps(dict(client.session.items()))

    url = reverse("voting:vote", args=[candidates[0].pk])
    with time_machine.travel(VOTING_DAY, tick=False):
        client.post(url, {"step": "send", "phone": "13800138000"})
        assert "13800138000" not in stored()
        pending = client.get(url)
        assert pending.context["form"].initial["phone"] == "13800138000"  # the form still offers it
        code = json.loads((settings.OUTBOX_DIR / "sms.jsonl").read_text().splitlines()[-1])["code"]
        client.post(url, {"step": "verify", "phone": "13800138000", "code": code, "consent": "on"})
        assert "13800138000" not in stored()
        assert client.session["verified_resident"] == Resident.objects.get(phone="13800138000").pk
        assert "138****8000" in client.get(url).text  # verified: the vote form, not the phone step
