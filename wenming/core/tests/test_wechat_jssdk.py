"""The JS-SDK signature against WeChat's documented example, and the ticket client and the
config endpoint against the local fake of WeChat (wenming.testing.fake_wechat)."""

import pytest
from django.core.cache import cache
from django.test import Client

from wenming.core.identity import wechat_jssdk
from wenming.core.identity.wechat_messages import WeChatSendError


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
