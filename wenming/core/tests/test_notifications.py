"""Notifications: the inbox, the channels each person chose, delivery in the task worker."""

import datetime
import json

import pytest
import time_machine

from wenming.core import notifications
from wenming.core.identity.sms import FileOutboxBackend, SmsError
from wenming.core.models import AuditEntry, Delivery, Notification, NotificationSetting
from wenming.core.roles import Role
from wenming.testing import factories as f

NOON = "2019-11-28 12:00 +0800"


def outbox():
    return FileOutboxBackend.read()


@pytest.fixture
def company(world):
    return f.make_user("company_sms", role=Role.COMPANY, company=world.company_a, phone="13812345678")


def choose(user, **channels):
    NotificationSetting.objects.update_or_create(user=user, defaults={"channels": channels})


def test_a_notification_goes_to_the_outbox_by_sms_is_read_and_leaves_unread(company, client,
                                                                           django_capture_on_commit_callbacks):
    choose(company, order_issued=["sms"])
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify([company], "幸福里小区 收到 2 份整改通知", "/supervision/orders/", kind="order_issued")
    delivery = Delivery.objects.get()
    assert delivery.channel == "sms" and delivery.state == Delivery.State.SENT and delivery.attempts == 1
    assert [(m["phone"], m["text"]) for m in outbox()] == [("13812345678", "【收到整改通知】幸福里小区 收到 2 份整改通知")]
    assert notifications.unread_count(company) == 1

    client.force_login(company)
    response = client.post(f"/notifications/{delivery.notification_id}/open/")
    assert response.status_code == 302 and response.url == "/supervision/orders/"
    assert notifications.unread_count(company) == 0
    assert Notification.objects.get().read_at is not None
    assert AuditEntry.objects.filter(action="core.notification.read", actor=company).count() == 1


def test_without_a_choice_a_notification_stays_in_the_inbox(company, django_capture_on_commit_callbacks):
    choose(company, order_due=["sms"])  # another kind
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify([company], "整改通知将于 2019-12-10 到期", "/supervision/orders/1/", kind="order_issued")
        notifications.notify([company], "其他消息")
    assert Notification.objects.filter(user=company).count() == 2
    assert not Delivery.objects.exists() and outbox() == []


def test_the_old_call_signatures_still_work(company, world, django_capture_on_commit_callbacks):
    idle = f.make_user("idle", role=Role.COMPANY, company=world.company_a, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify([company, idle], "甲")
        notifications.notify_each([([company], "乙", "/a/"), ([company, idle], "丙", "")])
    rows = Notification.objects.order_by("id")
    assert [(n.user, n.message, n.link, n.kind) for n in rows] == [
        (company, "甲", "", "other"), (company, "乙", "/a/", "other"), (company, "丙", "", "other")]


class Flaky:
    """An SMS backend that fails while `down` is set."""

    down = True
    sent = []

    def send_notice(self, phone, title, text):
        if Flaky.down:
            raise SmsError("短信服务不可用：超时")
        Flaky.sent.append((phone, text))


def test_a_failure_is_recorded_in_chinese_and_retried_until_sent_once(company, settings,
                                                                     django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = f"{__name__}.Flaky"
    Flaky.down, Flaky.sent = True, []
    choose(company, order_overdue=["sms"], order_issued=["sms"])
    with time_machine.travel(NOON, tick=False), django_capture_on_commit_callbacks(execute=True):
        notifications.notify([company], "整改逾期，请督办", kind="order_issued")
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.reason, delivery.attempts) == (Delivery.State.FAILED, "短信服务不可用：超时", 1)

    with time_machine.travel("2019-11-28 12:02 +0800", tick=False):
        assert notifications.retry_failed() == 0  # not before its pause is over
    Flaky.down = False
    with time_machine.travel("2019-11-28 12:06 +0800", tick=False):
        assert notifications.retry_failed() == 1
        assert notifications.retry_failed() == 0
        assert notifications.deliver(delivery.pk) is None  # a repeated task sends nothing
    delivery.refresh_from_db()
    assert (delivery.state, delivery.reason, delivery.attempts) == (Delivery.State.SENT, "", 2)
    assert Flaky.sent == [("13812345678", "整改逾期，请督办")]


def test_retries_stop_after_the_last_attempt(company, settings, django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = f"{__name__}.Flaky"
    Flaky.down = True
    choose(company, order_issued=["sms"])
    start = datetime.datetime(2019, 11, 28, 4, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=True):
        notifications.notify([company], "收到整改通知", kind="order_issued")
    for minutes in (10, 20, 30, 40):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            notifications.retry_failed()
    assert Delivery.objects.get().attempts == notifications.MAX_ATTEMPTS


def test_an_account_without_a_phone_fails_once_and_is_not_retried(world, django_capture_on_commit_callbacks):
    user = f.make_user("nophone", role=Role.COMPANY, company=world.company_a)
    choose(user, order_issued=["sms"])
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify([user], "收到整改通知", kind="order_issued")
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.reason) == (Delivery.State.FAILED, "账号未登记手机号")
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=2)):
        assert notifications.retry_failed() == 0
    assert outbox() == []


def test_a_delivery_cut_off_while_sending_is_closed_not_sent_again(company):
    # The worker that claimed it died before marking it sent or failed.
    notification = Notification.objects.create(user=company, kind="order_issued", message="收到整改通知")
    delivery = Delivery.objects.create(notification=notification, channel="sms", state="sending",
                                       attempts=1, tried_at=datetime.datetime(2019, 11, 28, 4, 0, tzinfo=datetime.UTC))
    with time_machine.travel("2019-11-28 14:00 +0800", tick=False):
        assert notifications.retry_failed() == 0
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.FAILED and delivery.reason == "发送中断，结果未知，未再重发"
    assert outbox() == []


def test_work_done_clears_its_notifications_from_every_unread(company, world, django_capture_on_commit_callbacks):
    other = f.make_user("company_other", role=Role.COMPANY, company=world.company_a)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify([company, other], "“幸福里”待您出具意见", "/awards/1/", kind="application_review",
                             key="awards.application.1.company")
        notifications.notify([company], "别的事")
    assert notifications.unread_count(company) == 2
    with django_capture_on_commit_callbacks(execute=True):
        notifications.resolve("awards.application.1.company")
    assert notifications.unread_count(company) == 1 and notifications.unread_count(other) == 0
    assert [n.message for n in notifications.unread(company)] == ["别的事"]


def test_mark_all_read(company, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_each([([company], "一", ""), ([company], "二", "")])
    assert notifications.mark_all_read(company) == 2
    assert notifications.unread_count(company) == 0
    assert notifications.mark_all_read(company) == 0
    assert AuditEntry.objects.filter(action="core.notification.read_all").count() == 1


def test_preferences_keep_only_offered_kinds_and_known_channels(company, expert):
    notifications.save_preferences(company, {"order_issued": ["sms", "fax"], "expert_assigned": ["sms"],
                                             "order_due": []}, actor=company)
    assert NotificationSetting.objects.get(user=company).channels == {"order_issued": ["sms"]}
    entry = AuditEntry.objects.get(action="core.notification.preferences_saved")
    assert entry.after == {"channels": {"order_issued": ["sms"]}}


def test_unbinding_wechat_turns_its_channel_off(company):
    notifications.bind_wechat(company, "o-1", actor=company)
    notifications.save_preferences(company, {"order_issued": ["sms", "wechat"], "order_due": ["wechat"]},
                                   actor=company)
    notifications.unbind_wechat(company, actor=company)
    setting = NotificationSetting.objects.get(user=company)
    assert setting.wechat_openid == "" and setting.channels == {"order_issued": ["sms"]}


def test_the_outbox_file_keeps_codes_and_notices_apart(settings):
    FileOutboxBackend().send_code("13800138000", "123456")
    FileOutboxBackend().send_notice("13800138000", "评分提醒", "您还有 2 份评分表未提交")
    lines = [json.loads(line) for line in (settings.OUTBOX_DIR / "sms.jsonl").read_text().splitlines()]
    assert lines[0]["code"] == "123456" and "text" not in lines[0]
    assert lines[1]["text"] == "【评分提醒】您还有 2 份评分表未提交" and "code" not in lines[1]


def test_a_residents_sms_is_queued_once_per_key_and_sent_again_on_request(settings, db,
                                                                           django_capture_on_commit_callbacks):
    settings.SMS_BACKEND = f"{__name__}.Flaky"
    Flaky.down, Flaky.sent = True, []
    items = [("13900001111", "恭喜中奖", "voting.lottery.1.winner.7"), ("", "没有手机号", "x"), ("13900002222", "无标识", "")]
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_residents(items, kind="lottery_won")
        notifications.notify_residents(items[:1], kind="lottery_won")  # the same event again
    delivery = Delivery.objects.get()
    assert (delivery.phone, delivery.notification, delivery.state) == ("13900001111", None, Delivery.State.FAILED)
    Flaky.down = False
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.send_again(["voting.lottery.1.winner.7"]) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.send_again(["voting.lottery.1.winner.7"]) == 0
        notifications.notify_residents(items[:1], kind="lottery_won")
    assert Flaky.sent == [("13900001111", "恭喜中奖")]
    assert notifications.by_key(["voting.lottery.1.winner.7"])["voting.lottery.1.winner.7"].state == Delivery.State.SENT
