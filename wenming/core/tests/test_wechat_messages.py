"""WeChat subscribe messages against a local fake of WeChat's token and bizsend endpoints."""

import http.server
import json
import threading
import urllib.parse

import pytest
import time_machine
from django.core.cache import cache

from wenming.core import notifications
from wenming.core.identity import wechat_messages
from wenming.core.models import Delivery, NotificationSetting
from wenming.core.roles import Role
from wenming.testing import factories as f


class FakeWeChat(http.server.BaseHTTPRequestHandler):
    tokens = []  # handed out, newest last
    sends = []  # (token, body)
    answers = []  # errcodes to answer the next sends with, then 0

    def _answer(self, answer):
        body = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        if url.path != "/cgi-bin/token" or query.get("grant_type") != "client_credential":
            return self._answer({"errcode": 40013, "errmsg": "invalid appid"})
        if query.get("appid") != "wx-test" or query.get("secret") != "wx-secret":
            return self._answer({"errcode": 40125, "errmsg": "invalid appsecret"})
        token = f"token-{len(self.tokens) + 1}"
        self.tokens.append(token)
        self._answer({"access_token": token, "expires_in": 7200})

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        token = dict(urllib.parse.parse_qsl(url.query)).get("access_token")
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
        self.sends.append((token, body))
        if url.path != "/cgi-bin/message/subscribe/bizsend":
            return self._answer({"errcode": 404})
        if token != self.tokens[-1]:
            return self._answer({"errcode": 42001, "errmsg": "access_token expired"})
        code = self.answers.pop(0) if self.answers else 0
        self._answer({"errcode": code, "errmsg": "ok" if not code else "refused"})

    def log_message(self, *args):
        pass


@pytest.fixture
def fake(settings):
    FakeWeChat.tokens, FakeWeChat.sends, FakeWeChat.answers = [], [], []
    cache.clear()  # no token of another test's fake
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeWeChat)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.WECHAT = {"appid": "wx-test", "secret": "wx-secret", "authorize_base": "https://open.example",
                       "api_base": f"http://127.0.0.1:{server.server_port}", "notice_template": "TPL-1",
                       "notice_fields": ["thing1", "thing2", "time3"], "site_url": "https://wm.example"}
    yield FakeWeChat
    server.shutdown()


@pytest.fixture
def expert_bound(db):
    user = f.make_user("expert_wx", role=Role.EXPERT)
    NotificationSetting.objects.create(user=user, wechat_openid="o-expert", channels={"expert_reminded": ["wechat"]})
    return user


def test_a_notification_reaches_the_fake_with_the_template_and_data(fake, expert_bound,
                                                                     django_capture_on_commit_callbacks):
    with time_machine.travel("2019-12-06 09:30 +0800", tick=False), django_capture_on_commit_callbacks(execute=True):
        notifications.notify([expert_bound], "您还有 3 份评分表未提交，请在专家评选截止前完成", "/judging/",
                             kind="expert_reminded")
    assert Delivery.objects.get().state == Delivery.State.SENT
    (token, body), = fake.sends
    assert token == "token-1"
    assert body == {"touser": "o-expert", "template_id": "TPL-1", "page": "https://wm.example/judging/",
                    "data": {"thing1": {"value": "评分提醒"}, "thing2": {"value": "您还有 3 份评分表未提交，请在专家评选"},
                             "time3": {"value": "2019-12-06 09:30"}}}


def test_the_access_token_is_fetched_once_and_kept(fake):
    client = wechat_messages.WeChatMessageClient()
    client.send("o-1", "TPL-1", {"thing1": "甲"})
    client.send("o-2", "TPL-1", {"thing1": "乙"})
    assert fake.tokens == ["token-1"] and [s[0] for s in fake.sends] == ["token-1", "token-1"]


def test_an_expired_token_is_fetched_again_and_the_message_sent_once(fake):
    client = wechat_messages.WeChatMessageClient()
    client.send("o-1", "TPL-1", {"thing1": "甲"})
    fake.tokens.append("token-rotated")  # WeChat expired ours
    client.send("o-2", "TPL-1", {"thing1": "乙"})
    assert [(s[0], s[1]["touser"]) for s in fake.sends] == [
        ("token-1", "o-1"), ("token-1", "o-2"), ("token-3", "o-2")]
    assert fake.tokens[-1] == "token-3"


def test_wechat_refusals_become_chinese_reasons(fake, expert_bound, django_capture_on_commit_callbacks):
    fake.answers = [43101]
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify([expert_bound], "评分提醒", kind="expert_reminded")
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.reason) == (Delivery.State.FAILED, "接收人未订阅或已拒收此类消息")
    assert delivery.attempts == notifications.MAX_ATTEMPTS  # another try would not help


def test_a_busy_wechat_is_tried_again(fake, expert_bound, django_capture_on_commit_callbacks):
    fake.answers = [-1]
    with time_machine.travel("2019-12-06 09:30 +0800", tick=False), django_capture_on_commit_callbacks(execute=True):
        notifications.notify([expert_bound], "评分提醒", kind="expert_reminded")
    assert Delivery.objects.get().reason == "微信系统繁忙，稍后重试"
    with time_machine.travel("2019-12-06 09:40 +0800", tick=False):
        assert notifications.retry_failed() == 1
    assert len(fake.sends) == 2 and Delivery.objects.get().state == Delivery.State.SENT


def test_a_wrong_secret_and_an_unreachable_server(fake, settings):
    settings.WECHAT = {**settings.WECHAT, "secret": "wrong"}
    with pytest.raises(wechat_messages.WeChatSendError, match="公众号密钥错误"):
        wechat_messages.WeChatMessageClient().send("o-1", "TPL-1", {})
    settings.WECHAT = {**settings.WECHAT, "secret": "wx-secret", "api_base": "http://127.0.0.1:9"}
    with pytest.raises(wechat_messages.WeChatSendError, match="微信接口暂时不可用") as raised:
        wechat_messages.WeChatMessageClient().send("o-1", "TPL-1", {})
    assert raised.value.retry


def test_an_unbound_user_fails_without_calling_wechat(fake, db, django_capture_on_commit_callbacks):
    user = f.make_user("expert_nowx", role=Role.EXPERT)
    NotificationSetting.objects.create(user=user, channels={"expert_reminded": ["wechat"]})
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify([user], "评分提醒", kind="expert_reminded")
    assert Delivery.objects.get().reason == "账号未绑定微信" and fake.sends == []
