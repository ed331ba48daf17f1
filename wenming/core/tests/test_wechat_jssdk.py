"""The JS-SDK signature against WeChat's documented example, and the ticket client and the
config endpoint against the local fake of WeChat (wenming.testing.fake_wechat)."""

import datetime
import time

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from wenming.core.identity import wechat_jssdk, wechat_messages
from wenming.core.identity.wechat_messages import WeChatSendError
from wenming.testing.parallel import together


def test_the_signature_matches_wechats_documented_example():
    # JS-SDK 说明文档, 附录1 (签名算法): the sample ticket, nonce, timestamp and URL, and their sha1.
    ticket = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"
    assert wechat_jssdk.signature(ticket, "Wm3WZYTPz0wzccnW", 1414587457, "http://mp.weixin.qq.com?params=value") == (
        "0f9de62fce790f9a083d5c99e95740ceb90c27ed")


def test_the_signed_url_drops_the_fragment_only():
    assert wechat_jssdk.page_url("https://wm.example/news/3/?from=timeline#top") == (
        "https://wm.example/news/3/?from=timeline")


@pytest.fixture
def fake(fake_wechat):
    return fake_wechat


def test_the_ticket_is_fetched_once_and_kept(fake):
    client = wechat_jssdk.WeChatJsSdkClient()
    first = client.config_for("https://wm.example/news/1/")
    second = client.config_for("https://wm.example/news/2/")
    assert fake.tokens == ["token-1"] and fake.tickets == [("token-1", "ticket-1")]
    assert first["appId"] == "wx-test" and first["nonceStr"] != second["nonceStr"]
    assert first["signature"] == wechat_jssdk.signature("ticket-1", first["nonceStr"], first["timestamp"],
                                                        "https://wm.example/news/1/")


def test_an_expired_token_is_fetched_again_for_the_ticket(fake):
    client = wechat_jssdk.WeChatJsSdkClient()
    client.tokens.access_token()  # cached: token-1
    fake.tokens.append("token-rotated")  # WeChat expired ours
    assert client.ticket() == "ticket-1"
    assert fake.tickets == [("token-3", "ticket-1")]


def test_wechat_refusals_become_chinese_reasons(fake):
    fake.ticket_answers = [40013]
    with pytest.raises(WeChatSendError, match="公众号编号错误"):
        wechat_jssdk.WeChatJsSdkClient().ticket()


def test_the_config_endpoint_signs_only_this_sites_pages(fake, db):
    client = Client()
    answer = client.get("/wechat/jssdk/", {"url": "http://testserver/news/1/#x"})
    assert answer.status_code == 200 and answer["Cache-Control"].startswith("max-age=0")
    config = answer.json()
    assert config["signature"] == wechat_jssdk.signature("ticket-1", config["nonceStr"], config["timestamp"],
                                                         "http://testserver/news/1/")
    refused = client.get("/wechat/jssdk/", {"url": "https://evil.example/page"})
    assert refused.status_code == 400 and refused.json()["error"]["message"] == "页面地址无效"
    assert client.get("/wechat/jssdk/").status_code == 400


def test_the_config_endpoint_is_absent_without_a_configured_account(settings, db):
    settings.WECHAT = {**settings.WECHAT, "appid": "", "secret": ""}
    assert Client().get("/wechat/jssdk/", {"url": "http://testserver/news/1/"}).status_code == 404


def test_an_unreachable_wechat_is_a_503_with_a_chinese_reason(settings, db):
    cache.clear()
    settings.WECHAT = {**settings.WECHAT, "appid": "wx-test", "secret": "wx-secret", "api_base": "http://127.0.0.1:9"}
    answer = Client().get("/wechat/jssdk/", {"url": "http://testserver/news/1/"})
    assert answer.status_code == 503 and answer.json()["error"]["message"] == "微信接口暂时不可用"


def test_a_client_asking_too_often_is_refused_for_the_minute(fake, db, settings):
    settings.WECHAT_JSSDK_PER_MINUTE = 3
    page = {"url": "http://testserver/news/1/"}
    with time_machine.travel("2026-11-26 10:00:10 +0800", tick=False):
        one, other = Client(REMOTE_ADDR="203.0.113.7"), Client(REMOTE_ADDR="203.0.113.8")
        assert [one.get("/wechat/jssdk/", page).status_code for _ in range(3)] == [200, 200, 200]
        refused = one.get("/wechat/jssdk/", page)
        assert refused.status_code == 429 and refused["Retry-After"] == "50"
        assert refused.json() == {"error": {"code": "too_many_requests", "message": "请求过于频繁，请稍后再试"}}
        assert one.get("/wechat/jssdk/", {"url": "https://evil.example/"}).status_code == 429  # bad ones count too
        assert other.get("/wechat/jssdk/", page).status_code == 200  # another address has its own count
    with time_machine.travel("2026-11-26 10:01:00 +0800", tick=False):
        assert one.get("/wechat/jssdk/", page).status_code == 200  # the next minute
    assert fake.calls == ["/cgi-bin/token", "/cgi-bin/ticket/getticket"]  # one ticket signed them all


def test_while_wechat_is_down_pages_do_not_each_call_it(fake, db, monkeypatch):
    monkeypatch.setattr(wechat_jssdk, "FAILURE_SECONDS", 1)
    fake.down = True  # WeChat closes every connection without an answer
    client = Client()
    for _ in range(5):
        answer = client.get("/wechat/jssdk/", {"url": "http://testserver/news/1/"})
        assert answer.status_code == 503 and answer["Retry-After"] == "1"
        assert answer.json()["error"] == {"code": "wechat_unavailable", "message": "微信接口暂时不可用"}
    assert fake.calls == ["/cgi-bin/token"]  # asked once; the failure is remembered
    fake.down = False
    time.sleep(1.2)  # a real second: Redis keeps its own clock
    assert client.get("/wechat/jssdk/", {"url": "http://testserver/news/1/"}).status_code == 200
    assert fake.calls == ["/cgi-bin/token", "/cgi-bin/token", "/cgi-bin/ticket/getticket"]


def test_a_refusal_is_remembered_too(fake):
    fake.ticket_answers = [45009]
    for _ in range(3):
        with pytest.raises(WeChatSendError, match="微信接口今日调用次数已达上限"):
            wechat_jssdk.WeChatJsSdkClient().ticket()
    assert fake.calls == ["/cgi-bin/token", "/cgi-bin/ticket/getticket"]


def test_one_fetch_at_a_time_and_the_others_wait_for_it(fake):
    fake.delay = 0.3  # WeChat answers slowly: without the lock, every caller would fetch
    configs = together(lambda: wechat_jssdk.WeChatJsSdkClient().config_for("https://wm.example/news/1/"))
    assert len(configs) == 8 and all(isinstance(c, dict) for c in configs), configs
    assert fake.tokens == ["token-1"] and fake.tickets == [("token-1", "ticket-1")]
    assert all(c["signature"] == wechat_jssdk.signature("ticket-1", c["nonceStr"], c["timestamp"],
                                                        "https://wm.example/news/1/") for c in configs)


def test_one_process_at_a_time_fetches_the_access_token(fake):
    fake.delay = 0.3
    tokens = together(lambda: wechat_messages.WeChatMessageClient().access_token())
    assert tokens == ["token-1"] * 8 and fake.tokens == ["token-1"]


def test_a_ticket_due_for_renewal_is_renewed_once_and_kept_while_wechat_fails(fake, monkeypatch):
    monkeypatch.setattr(wechat_jssdk, "FAILURE_SECONDS", 60)
    start = datetime.datetime(2026, 11, 26, 2, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        assert wechat_jssdk.WeChatJsSdkClient().ticket() == "ticket-1"
    # WeChat's ticket lives 7200 s; it is kept 6900 s and renewed from 6300 s on.
    with time_machine.travel(start + datetime.timedelta(seconds=6200), tick=False):
        assert wechat_jssdk.WeChatJsSdkClient().ticket() == "ticket-1"
        assert fake.tickets == [("token-1", "ticket-1")]
    with time_machine.travel(start + datetime.timedelta(seconds=6400), tick=False):
        fake.down = True
        signed = [wechat_jssdk.WeChatJsSdkClient().config_for("https://wm.example/") for _ in range(4)]
        assert {c["signature"] == wechat_jssdk.signature("ticket-1", c["nonceStr"], c["timestamp"],
                                                         "https://wm.example/") for c in signed} == {True}
        assert fake.calls == ["/cgi-bin/token", "/cgi-bin/ticket/getticket", "/cgi-bin/ticket/getticket"]
        cache.delete(wechat_jssdk.WeChatJsSdkClient().failed_key)  # WeChat is back
        fake.down = False
        assert wechat_jssdk.WeChatJsSdkClient().ticket() == "ticket-2"
        assert wechat_jssdk.WeChatJsSdkClient().ticket() == "ticket-2"
    assert fake.tickets == [("token-1", "ticket-1"), ("token-1", "ticket-2")]
