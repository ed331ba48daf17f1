import json

import pytest
import time_machine

from wenming.awards import services
from wenming.awards.models import Recommendation
from wenming.awards.tests.conftest import APPLY_DAY, jpeg
from wenming.core.models import PhoneCode

PHONE = "13800138000"


def outbox_code(settings):
    lines = (settings.OUTBOX_DIR / "sms.jsonl").read_text().splitlines()
    return json.loads(lines[-1])["code"]


def resident_token(client, settings, campaign):
    assert client.post("/api/v1/voters/code", {"phone": PHONE}, content_type="application/json").status_code == 202
    response = client.post("/api/v1/voters/verify", {"phone": PHONE, "code": outbox_code(settings),
                                                     "consent_version": campaign.privacy_notice_version},
                           content_type="application/json")
    assert response.status_code == 200
    return response.json()["token"]


def test_a_resident_recommends_a_community_with_photos_and_it_links_to_the_application(
        client, settings, community_application, campaign):
    token = resident_token(client, settings, campaign)
    response = client.post("/api/v1/recommendations", {
        "district_id": community_application.district_id, "community_id": community_application.community_id,
        "reason": "小区环境干净整洁，物业服务热情周到。", "photos": [jpeg("a.jpg", gps=True), jpeg("b.jpg")]},
        HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 201
    recommendation = Recommendation.objects.get(pk=response.json()["id"])
    assert response.json()["status"] == "linked" and recommendation.application == community_application
    assert recommendation.attachments.count() == 2
    # The same phone and community again: the first recommendation is updated, not a second one.
    response = client.post("/api/v1/recommendations", {
        "district_id": community_application.district_id, "community_id": community_application.community_id,
        "reason": "补充：小区新建了充电车棚，楼道也干净了。", "photos": [jpeg("c.jpg")]},
        HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200 and response.json()["id"] == recommendation.pk
    recommendation.refresh_from_db()
    assert Recommendation.objects.count() == 1 and recommendation.reason.startswith("补充")
    assert recommendation.attachments.count() == 1


def test_a_repeat_by_name_updates_and_a_handled_one_is_refused(world, campaign, office):
    from wenming.core.errors import Conflict
    from wenming.core.models import AuditEntry, Resident

    with time_machine.travel(APPLY_DAY, tick=False):
        resident = Resident.objects.create(phone=PHONE, consent_version="2019.1", consented_at="2019-09-20T00:00Z")
        first, created = services.recommend(campaign, resident, district=world.lianyun, community=None,
                                            community_name=" 海棠小区 ", reason="邻里和谐，志愿服务活动多。")
        again, again_created = services.recommend(campaign, resident, district=world.lianyun, community=None,
                                                  community_name="海棠小区", reason="补充：垃圾分类做得很好。")
        other, _ = services.recommend(campaign, resident, district=world.lianyun, community=None,
                                      community_name="紫薇小区", reason="邻里和谐，志愿服务活动多。")
        assert created and not again_created and again.pk == first.pk and other.pk != first.pk
        assert AuditEntry.objects.filter(action="awards.recommendation.updated").count() == 1
        services.dismiss_recommendation(first, actor=office, reason="不在活动范围")
        with pytest.raises(Conflict, match="已处理（不予受理）"):
            services.recommend(campaign, resident, district=world.lianyun, community=None, community_name="海棠小区",
                               reason="再次推荐这个小区，请受理。")
    assert Recommendation.objects.count() == 2


def test_recommending_needs_a_resident_token(client, world, campaign):
    with time_machine.travel(APPLY_DAY, tick=False):
        response = client.post("/api/v1/recommendations", {"district_id": world.haizhou.pk, "reason": "很好很好很好很好很好"})
    assert response.status_code == 401 and not Recommendation.objects.exists()


def test_an_outdated_consent_is_422_and_does_not_spend_the_code(client, settings, campaign):
    client.post("/api/v1/voters/code", {"phone": PHONE}, content_type="application/json")
    code = outbox_code(settings)
    response = client.post("/api/v1/voters/verify", {"phone": PHONE, "code": code, "consent_version": "2018.1"},
                           content_type="application/json")
    assert response.status_code == 422 and "consent_version" in response.json()["error"]["fields"]
    ok = client.post("/api/v1/voters/verify", {"phone": PHONE, "code": code, "consent_version": "2019.1"},
                     content_type="application/json")
    assert ok.status_code == 200


def test_a_used_expired_or_overguessed_code_is_refused(client, settings, campaign):
    body = {"phone": PHONE, "consent_version": "2019.1"}
    with time_machine.travel("2026-11-26 10:00 +0800", tick=False) as t:
        client.post("/api/v1/voters/code", {"phone": PHONE}, content_type="application/json")
        code = outbox_code(settings)
        assert client.post("/api/v1/voters/verify", body | {"code": code},
                           content_type="application/json").status_code == 200
        assert client.post("/api/v1/voters/verify", body | {"code": code},
                           content_type="application/json").status_code == 401  # used
        t.shift(61)
        client.post("/api/v1/voters/code", {"phone": PHONE}, content_type="application/json")
        code = outbox_code(settings)
        t.shift(5 * 60 + 1)
        assert client.post("/api/v1/voters/verify", body | {"code": code},
                           content_type="application/json").status_code == 401  # expired
        t.shift(61)
        client.post("/api/v1/voters/code", {"phone": PHONE}, content_type="application/json")
        code = outbox_code(settings)
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(5):
            assert client.post("/api/v1/voters/verify", body | {"code": wrong},
                               content_type="application/json").status_code == 401
        assert PhoneCode.objects.order_by("-created_at").first().attempts == 5
        assert client.post("/api/v1/voters/verify", body | {"code": code},
                           content_type="application/json").status_code == 401  # guessed too often


def test_codes_are_not_sent_more_than_once_a_minute(client, db):
    assert client.post("/api/v1/voters/code", {"phone": PHONE}, content_type="application/json").status_code == 202
    response = client.post("/api/v1/voters/code", {"phone": PHONE}, content_type="application/json")
    assert response.status_code == 429 and "秒后再试" in response.json()["error"]["message"]


@pytest.mark.parametrize("phone", ["1380013800", "23800138000", "abc"])
def test_bad_phones_are_422(client, db, phone):
    assert client.post("/api/v1/voters/code", {"phone": phone}, content_type="application/json").status_code == 422
    assert not PhoneCode.objects.exists()


def test_the_public_recommendation_page_with_the_outbox_code(client, settings, world, campaign):
    with time_machine.travel(APPLY_DAY, tick=False):
        client.post("/recommend/", {"step": "send", "phone": PHONE})
        client.post("/recommend/", {"step": "verify", "phone": PHONE, "code": outbox_code(settings), "consent": "on"})
        response = client.post("/recommend/", {"step": "recommend", "district": world.lianyun.pk,
                                               "community": world.community_b.pk,
                                               "reason": "邻里和谐，志愿服务活动多。", "photos": [jpeg()]})
    assert response.status_code == 200 and "推荐已提交" in response.text
    recommendation = Recommendation.objects.get()
    assert recommendation.state == "received" and recommendation.attachments.count() == 1


def test_the_honeypot_refuses_bots(client, settings, world, campaign):
    with time_machine.travel(APPLY_DAY, tick=False):
        client.post("/recommend/", {"step": "send", "phone": PHONE})
        client.post("/recommend/", {"step": "verify", "phone": PHONE, "code": outbox_code(settings), "consent": "on"})
        response = client.post("/recommend/", {"step": "recommend", "district": world.lianyun.pk,
                                               "community": world.community_b.pk, "reason": "邻里和谐，志愿服务活动多。",
                                               "website": "http://spam"})
    assert response.status_code == 400 and not Recommendation.objects.exists()


def test_the_office_converts_a_recommendation_into_an_application(client, settings, world, campaign, office):
    from wenming.awards import services
    from wenming.core.models import Resident

    with time_machine.travel(APPLY_DAY, tick=False):
        resident = Resident.objects.create(phone=PHONE, consent_version="2019.1", consented_at="2019-09-20T00:00Z")
        recommendation, _ = services.recommend(campaign, resident, district=world.lianyun, community=world.community_b,
                                               community_name="", reason="邻里和谐，志愿服务活动多。")
        client.force_login(office)
        response = client.post(f"/applications/recommendations/{recommendation.pk}/convert/")
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.state == "converted" and recommendation.application.channel == "public_recommendation"
