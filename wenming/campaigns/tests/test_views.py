import time_machine
from django.urls import reverse

from wenming.core.models import AuditEntry


def test_the_home_page_shows_the_phases_in_chinese_with_the_current_one_marked(client, campaign):
    with time_machine.travel("2019-11-28 10:00 +0800", tick=False):
        text = client.get(reverse("home")).text
    for name in ("宣传发动", "申报推荐", "初审及展示", "投票评选", "专家评选", "表彰"):
        assert name in text
    assert 'class="phase current" aria-current="step" data-phase="voting"' in text
    assert "共建美好家园 共筑城市文明" in text and "当前阶段：<strong>投票评选</strong>" in text


def test_the_home_page_leads_to_the_vote_only_while_voting_is_open(client, campaign):
    with time_machine.travel("2019-11-28 10:00 +0800", tick=False):
        voting = client.get(reverse("home")).text
    with time_machine.travel("2019-12-10 10:00 +0800", tick=False):
        after = client.get(reverse("home")).text
    assert 'id="go-vote"' in voting and reverse("showcase:list") in voting
    assert 'id="go-vote"' not in after
    # the public base: one navigation and the large-text switch
    for text in (voting, after):
        assert 'id="font-switch"' in text and "wenming/public.js" in text and reverse("results:public") in text


def test_the_home_page_works_without_a_campaign(client, db):
    assert "尚未加载活动" in client.get(reverse("home")).text


def test_the_office_extends_from_the_settings_page(client, campaign, office):
    client.force_login(office)
    response = client.post(reverse("campaigns:settings"), {
        "target": "deadline:apply_close", "new_end_day": "2019-10-18", "reason": "系统维护顺延"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="campaigns.deadline.extended", reason="系统维护顺延").exists()


def test_the_settings_form_refuses_shortening_and_writes_nothing(client, campaign, office):
    client.force_login(office)
    response = client.post(reverse("campaigns:settings"), {
        "target": "deadline:apply_close", "new_end_day": "2019-10-01", "reason": "x"})
    assert response.status_code == 400 and "只能延长" in response.text
    assert not AuditEntry.objects.filter(action__endswith="extended").exists()


def test_the_settings_page_is_for_the_office_only(client, campaign, haizhou_officer):
    client.force_login(haizhou_officer)
    assert client.get(reverse("campaigns:settings")).status_code == 403
    assert client.post(reverse("campaigns:settings"), {"target": "phase:voting", "new_end_day": "2019-12-10",
                                                       "reason": "x"}).status_code == 403
    assert not AuditEntry.objects.filter(action__endswith="extended").exists()


def test_the_privacy_notice_page(client, campaign):
    assert "个人信息保护告知" in client.get("/privacy/").text


def test_public_pages_are_read_only(client, campaign):
    assert client.post(reverse("home")).status_code == 405
    assert client.post("/privacy/").status_code == 405


def test_the_settings_page_rejects_other_methods(client, campaign, office):
    client.force_login(office)
    assert client.delete(reverse("campaigns:settings")).status_code == 405
    assert client.put(reverse("campaigns:settings")).status_code == 405


def test_an_unknown_extension_target_is_a_form_error(client, campaign, office):
    client.force_login(office)
    response = client.post(reverse("campaigns:settings"), {"target": "phase:nope", "new_end_day": "2019-12-10",
                                                           "reason": "x"})
    assert response.status_code == 400
    assert not AuditEntry.objects.filter(action__endswith="extended").exists()
