"""The complaints API: a resident files (idempotent), follows up; the hotline pushes work orders."""

import io
import json

import time_machine
from django.test import Client

from wenming.complaints import services
from wenming.complaints.models import State, Ticket
from wenming.core.models import ApiToken
from wenming.testing.factories import jpeg

FRIDAY = "2019-09-27 10:00 +0800"


def api(token):
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_resident_files_with_an_idempotency_key_and_follows_up(campaign, world, resident, company_a):
    client = api(resident.token)
    data = {"community_id": world.community_a.pk, "category": "repair", "description": "单元门禁刷卡没有反应"}
    with time_machine.travel(FRIDAY, tick=False):
        first = client.post("/api/v1/complaints", {**data, "photos": [jpeg()]}, HTTP_IDEMPOTENCY_KEY="k-1")
        assert first.status_code == 201 and first.json()["receive_due"] == "2019-09-28T10:00:00+08:00"
        again = client.post("/api/v1/complaints", {**data, "photos": [jpeg()]}, HTTP_IDEMPOTENCY_KEY="k-1")
        assert again.status_code == 201 and again.json() == first.json() and Ticket.objects.count() == 1
        other = client.post("/api/v1/complaints", {**data, "description": "另外一件事情"}, HTTP_IDEMPOTENCY_KEY="k-1")
        assert other.status_code == 422
        same = client.post("/api/v1/complaints", data)
        assert same.status_code == 409 and same.json()["error"]["code"] == "same_complaint_open"
        assert client.post("/api/v1/complaints", {**data, "as_new": "true"}).status_code == 201
    assert Ticket.objects.count() == 2
    number = first.json()["number"]
    assert client.get("/api/v1/complaints/mine").json()["count"] == 2
    detail = client.get(f"/api/v1/complaints/{number}").json()
    assert detail["events"][0]["name"] == "提交投诉" and detail["can_follow_up"] is False
    body = json.dumps({"fixed": True, "satisfaction": 5})
    assert client.post(f"/api/v1/complaints/{number}/follow-up", body, content_type="application/json"
                       ).status_code == 409  # not yet answered
    ticket = Ticket.objects.get(number=number)
    services.receive(ticket, actor=company_a, handler=company_a)
    services.start_handling(ticket, actor=company_a)
    services.answer(ticket, actor=company_a, text="已更换读卡器，恢复正常")
    bad = client.post(f"/api/v1/complaints/{number}/follow-up", json.dumps({"fixed": 1, "satisfaction": 5}),
                      content_type="application/json")
    assert bad.status_code == 422
    done = client.post(f"/api/v1/complaints/{number}/follow-up", body, content_type="application/json")
    assert done.status_code == 200 and done.json()["state"] == State.FOLLOWED_UP


def test_refusals_in_the_api_shape_and_nothing_written(campaign, world, resident):
    client = api(resident.token)
    data = {"community_id": world.community_a.pk, "category": "repair", "description": "单元门禁刷卡没有反应"}
    assert Client().post("/api/v1/complaints", data).status_code == 401
    assert api("junk").get("/api/v1/complaints/mine").status_code == 401
    assert client.get("/api/v1/complaints").status_code == 405
    assert client.post("/api/v1/complaints", {**data, "community_id": 987654}).status_code == 404
    bad = client.post("/api/v1/complaints", {**data, "category": "nonsense"})
    assert bad.status_code == 422 and "category" in bad.json()["error"]["fields"]
    assert client.post("/api/v1/complaints", {**data, "household": "18-1803"}).status_code == 422
    assert client.post("/api/v1/complaints", {**data, "description": "坏"}).status_code == 422
    fake = io.BytesIO(b"<html>not a photo</html>")
    fake.name = "x.jpg"
    assert client.post("/api/v1/complaints", {**data, "photos": [fake]}).status_code == 422
    assert not Ticket.objects.exists()
    assert client.get("/api/v1/complaints/00000000000000").status_code == 404


def test_the_hotline_pushes_a_work_order_once(campaign, world, office, haizhou_officer, company_a):
    order = {"number": "GD2019100800001", "received_at": "2019-10-08 09:30", "district": "海州区",
             "community": "海州花园", "category": "漏水、爆管", "description": "楼道水管爆裂", "phone": "13700000001"}
    body = json.dumps(order, ensure_ascii=False)
    system = api(ApiToken.issue(office)[1])
    first = system.post("/api/v1/hotline/work-orders", body, content_type="application/json")
    assert first.status_code == 201 and first.json()["hotline_number"] == "GD2019100800001"
    again = system.post("/api/v1/hotline/work-orders", body, content_type="application/json")
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]
    assert Ticket.objects.get().urgency == "emergency"
    elsewhere = json.dumps({**order, "number": "GD2", "district": "连云区", "community": "连云新村"})
    district = api(ApiToken.issue(haizhou_officer)[1])
    assert district.post("/api/v1/hotline/work-orders", elsewhere, content_type="application/json").status_code == 403
    unknown = json.dumps({**order, "number": "GD3", "community": "不存在小区"})
    assert system.post("/api/v1/hotline/work-orders", unknown, content_type="application/json").status_code == 404
    company = api(ApiToken.issue(company_a)[1])
    assert company.post("/api/v1/hotline/work-orders", body, content_type="application/json").status_code == 403
    assert Client().post("/api/v1/hotline/work-orders", body, content_type="application/json").status_code == 401
    assert Ticket.objects.count() == 1
