"""WeChat subscribe messages against the local fake of WeChat (wenming.testing.fake_wechat)."""

import pytest
import time_machine

from wenming.core import notifications
from wenming.core.identity import wechat_messages
from wenming.core.models import Delivery, NotificationSetting
from wenming.core.roles import Role
from wenming.testing import factories as f


@pytest.fixture
def fake(fake_wechat, settings):
    settings.WECHAT = fake_wechat.settings(notice_template="TPL-1", notice_fields=["thing1", "thing2", "time3"],
                                           site_url="https://wm.example")
    return fake_wechat


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
    fake.send_answers = [43101]
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify([expert_bound], "评分提醒", kind="expert_reminded")
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.reason) == (Delivery.State.FAILED, "接收人未订阅或已拒收此类消息")
    assert delivery.attempts == notifications.MAX_ATTEMPTS  # another try would not help


def test_a_busy_wechat_is_tried_again(fake, expert_bound, django_capture_on_commit_callbacks):
    fake.send_answers = [-1]
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
