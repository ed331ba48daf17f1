import time_machine


def test_campaign_answers_the_contract(client, campaign):
    with time_machine.travel("2019-12-05 12:00 +0800", tick=False):
        body = client.get("/api/v1/campaign").json()
    assert body["name"] == campaign.name and body["theme"] == "共建美好家园 共筑城市文明"
    assert body["timezone"] == "Asia/Shanghai"
    assert body["current_phase"] == "expert"  # voting's last day: the later-starting phase is current
    assert [p["key"] for p in body["phases"]] == ["publicity", "apply", "review", "voting", "expert", "results"]
    voting = body["phases"][3]
    assert voting == {"key": "voting", "name": "投票评选", "starts_at": "2019-11-26T00:00:00+08:00",
                      "ends_at": "2019-12-06T00:00:00+08:00"}
    assert body["privacy_notice"] == {"version": "2019.1", "url": "/privacy/"}


def test_outside_the_campaign_current_phase_is_null(client, campaign):
    with time_machine.travel("2020-03-01 12:00 +0800", tick=False):
        assert client.get("/api/v1/campaign").json()["current_phase"] is None


def test_chinese_is_not_escaped(client, campaign):
    assert "投票评选".encode() in client.get("/api/v1/campaign").content


def test_no_campaign_is_404(client, db):
    response = client.get("/api/v1/campaign")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
