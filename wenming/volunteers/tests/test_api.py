"""The volunteers API: a resident signs up and scans with a bearer token; staff confirm and read
figures; refusals are the API's error shape with nothing written."""

import time_machine

from wenming.core.models import ApiToken, ResidentToken, hash_token
from wenming.volunteers import services
from wenming.volunteers.models import Record, RecordState
from wenming.volunteers.tests.conftest import NOW

TOKEN = "volunteer-token-for-tests"


def bearer(person):
    import datetime

    ResidentToken.objects.create(resident=person, key_hash=hash_token(TOKEN),
                                 expires_at=datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC))
    return {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}


def test_sign_up_and_scan_in_and_out_over_the_api(client, campaign, activity, company_a, person, volunteer):
    auth = bearer(person)
    url = f"/api/v1/volunteers/activities/{activity.pk}"
    assert client.post(f"{url}/signup").status_code == 401
    with time_machine.travel(NOW, tick=False):
        response = client.post(f"{url}/signup", **auth)
        assert response.status_code == 200 and response.json()["my_state"] == "signed_up"
        assert response.json()["places_left"] == 1
        again = client.post(f"{url}/signup", **auth)
        assert again.status_code == 409 and again.json()["error"]["message"] == "您已报名该活动"
    with time_machine.travel("2019-11-26 09:00 +0800", tick=False):
        code = services.issue_code(activity, services.IN, actor=company_a)
        response = client.post("/api/v1/volunteers/scan", {"code": code}, content_type="application/json", **auth)
        assert response.status_code == 200 and response.json()["state"] == "signed_in"
        replay = client.post("/api/v1/volunteers/scan", {"code": code}, content_type="application/json", **auth)
        assert replay.status_code == 409 and "已使用过" in replay.json()["error"]["message"]
    with time_machine.travel("2019-11-26 10:00 +0800", tick=False):
        code = services.issue_code(activity, services.OUT, actor=company_a)
        response = client.post("/api/v1/volunteers/scan", {"code": code}, content_type="application/json", **auth)
        assert response.json()["measured_hours"] == "1.0"
    record = Record.objects.get()
    staff = {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(company_a)[1]}"}
    with time_machine.travel("2019-11-26 12:00 +0800", tick=False):
        response = client.post(f"/api/v1/volunteers/records/{record.pk}/confirm", {"hours": 0.5},
                               content_type="application/json", **staff)
        assert response.status_code == 422 and "reason" in response.json()["error"]["fields"]
        assert Record.objects.get().state == RecordState.SIGNED_OUT
        response = client.post(f"/api/v1/volunteers/records/{record.pk}/confirm", {"hours": 0.5, "reason": "中途离开"},
                               content_type="application/json", **staff)
        assert response.status_code == 200 and response.json()["hours"] == "0.5"
    mine = client.get("/api/v1/volunteers/me/records", **auth).json()
    assert mine["confirmed_hours"] == "0.5" and mine["items"][0]["recorder"].startswith("活动组织者确认")
    with time_machine.travel("2019-11-27 12:00 +0800", tick=False):
        response = client.post("/api/v1/volunteers/me/certificates", {"station_id": activity.station_id},
                               content_type="application/json", **auth)
    assert response.status_code == 201 and response.json()["hours"] == "0.5" and response.json()["name"] == "张**"


def test_bad_input_and_wrong_roles_are_refused_with_nothing_written(client, campaign, activity, person, volunteer,
                                                                    expert, company_b):
    auth = bearer(person)
    response = client.post("/api/v1/volunteers/scan", {"code": ""}, content_type="application/json", **auth)
    assert response.status_code == 422
    response = client.post("/api/v1/volunteers/scan", {"code": "1.i.2.abc.def"}, content_type="application/json", **auth)
    assert response.status_code == 409 and response.json()["error"]["code"] == "conflict"
    assert client.post("/api/v1/volunteers/me/certificates", {"station_id": "x"}, content_type="application/json",
                       **auth).status_code == 422
    assert client.get("/api/v1/volunteers/figures").status_code == 401
    assert client.get("/api/v1/volunteers/figures",
                      HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(expert)[1]}").status_code == 403
    figures = client.get("/api/v1/volunteers/figures", HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(company_b)[1]}")
    assert figures.status_code == 200 and figures.json()["stations"] == []
    assert client.get("/api/v1/volunteers/activities/987654321", **auth).status_code == 404
    assert client.get("/api/v1/volunteers/activities/1/signup", **auth).status_code == 405
    assert not Record.objects.exists()
