"""Notifications: the inbox of every staff user, and the same events by SMS and WeChat for
those who chose them.

`notify(users, message, link, kind=, key=)` writes one inbox row per active user after the
transaction that caused it commits. For each user who chose other channels for that event kind
(`NotificationSetting.channels`), a `Delivery` row per channel is written beside it and the task
worker sends it (`deliver_task`), never the request. A delivery is claimed by a conditional
update before it is sent and marked sent or failed (with a Chinese reason) after; failed ones are
tried again by `retry_task` on the schedule, up to `MAX_ATTEMPTS`. One that stopped half-way
(the worker died while sending) is not sent again: it may have reached the phone.

The channels are settings (`NOTIFICATION_CHANNELS`, dotted paths of `send(delivery)`), so core's
plumbing never imports the SMS and WeChat clients in `core.identity`.

A notification asking for a piece of work carries a `key`; `resolve(key)` clears it from every
inbox's unread once the work is done (the district's "待您出具意见" after it gave its opinion)."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import import_string

from wenming.core import audit
from wenming.core.models import Delivery, Notification, NotificationSetting
from wenming.core.roles import Role

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_AFTER = datetime.timedelta(minutes=5)
# A delivery still "sending" after this long was cut off half-way: it is closed, not resent.
STALE_SENDING = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class Kind:
    name: str
    roles: tuple


_STAFF = (Role.OFFICE, Role.DISTRICT, Role.COMPANY, Role.EXPERT, Role.SURVEYOR)

# The events a user may also receive by SMS or WeChat; `roles` are those the preferences page
# offers it to (the inbox gets every kind whatever the role).
KINDS = {
    "application_review": Kind("申报待您出具意见", (Role.COMPANY, Role.DISTRICT, Role.OFFICE)),
    "application_returned": Kind("申报被退回修改", (Role.COMPANY,)),
    "application_decided": Kind("申报确认为候选或未通过初审", (Role.COMPANY,)),
    "order_issued": Kind("收到整改通知", (Role.COMPANY,)),
    "order_due": Kind("整改即将到期", (Role.COMPANY,)),
    "order_evidence": Kind("整改材料待复查", (Role.DISTRICT,)),
    "order_overdue": Kind("整改逾期", (Role.DISTRICT,)),
    "interview_scheduled": Kind("约谈安排", (Role.COMPANY, Role.DISTRICT)),
    "expert_assigned": Kind("评审任务分配", (Role.EXPERT,)),
    "expert_reminded": Kind("评分提醒", (Role.EXPERT,)),
    "complaint": Kind("投诉办理与居民答复", (Role.COMPANY, Role.DISTRICT, Role.OFFICE)),
    "survey_coverage": Kind("入户调查覆盖率未达标", (Role.DISTRICT, Role.SURVEYOR)),
    # Residents' SMS (no inbox, no choice to make: offered to no staff role).
    "complaint_answered": Kind("投诉处理结果", ()),
    "lottery_won": Kind("抽奖中奖", ()),
    "other": Kind("其他通知", _STAFF),
}


def kind_name(kind):
    return KINDS.get(kind, KINDS["other"]).name


class DeliveryFailed(Exception):
    """A channel could not send: the message is the Chinese reason kept on the delivery.
    `retry=False` for a failure that another try cannot fix (no phone, refused by the user)."""

    def __init__(self, message, *, retry=True):
        super().__init__(message)
        self.retry = retry


# --- writing --------------------------------------------------------------------------------------

def notify(users, message, link="", *, kind="other", key=""):
    notify_each([(users, message, link)], kind=kind, key=key)


def notify_each(messages, *, kind="other", key=""):
    """Several notifications [(users, message, link)] in one write (a sweep's reminders). An
    item may carry its own key as a fourth element."""
    rows = []
    for item in messages:
        users, message, link = item[:3]
        item_key = item[3] if len(item) > 3 else key
        rows += [Notification(user=u, kind=kind if kind in KINDS else "other", key=item_key[:120],
                              message=message[:300], link=link) for u in users if u.is_active]
    if rows:
        transaction.on_commit(lambda: _write(rows))


def _write(rows):
    Notification.objects.bulk_create(rows, batch_size=1000)
    chosen = {s.user_id: s.channels for s in NotificationSetting.objects.filter(
        user_id__in={r.user_id for r in rows}).only("user_id", "channels")}
    deliveries = [Delivery(notification=r, kind=r.kind, message=r.message, channel=channel) for r in rows
                  for channel in chosen.get(r.user_id, {}).get(r.kind, ()) if channel in Delivery.Channel.values]
    if deliveries:
        Delivery.objects.bulk_create(deliveries, batch_size=1000)
        ids = [d.pk for d in deliveries]
        transaction.on_commit(lambda: deliver_task.enqueue(ids))


def notify_residents(items, *, kind):
    """SMS to residents, who have no inbox: [(phone, message, key)], `key` naming the event for
    that person ("voting.lottery.3.winner.17"): an event already queued is not queued again."""
    rows = [Delivery(phone=phone, kind=kind if kind in KINDS else "other", message=message[:300], key=key[:120],
                     channel=Delivery.Channel.SMS) for phone, message, key in items if phone and key]
    if rows:
        transaction.on_commit(lambda: _write_resident(rows))


def _write_resident(rows):
    Delivery.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    ids = list(Delivery.objects.filter(key__in=[r.key for r in rows], channel=Delivery.Channel.SMS,
                                       state=Delivery.State.QUEUED).values_list("pk", flat=True))
    if ids:
        transaction.on_commit(lambda: deliver_task.enqueue(ids))


def by_key(keys, channel=Delivery.Channel.SMS):
    """{key: delivery} of residents' deliveries, for the page that shows whether they went out."""
    return {d.key: d for d in Delivery.objects.filter(key__in=list(keys), channel=channel)}


def send_again(keys):
    """Queue the failed deliveries of these keys once more, now (an office's 重发): a failure
    no retry could fix gets its tries back too, since the office may have fixed its cause.
    Returns how many were queued."""
    ids = list(Delivery.objects.filter(key__in=list(keys), state=Delivery.State.FAILED).values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids, state=Delivery.State.FAILED).update(attempts=0)
    if ids:
        transaction.on_commit(lambda: deliver_task.enqueue(ids))
    return len(ids)


def told(key):
    """Whether a notification with this key was ever written (a once-only reminder's check)."""
    return bool(key) and Notification.objects.filter(key=key).exists()


def resolve(key):
    """The work `key` names is done: its notifications leave every unread list."""
    if key:
        transaction.on_commit(lambda: Notification.objects.filter(key=key, read_at__isnull=True).update(
            read_at=timezone.now()))


# --- the inbox ------------------------------------------------------------------------------------

def unread(user, limit=10):
    return Notification.objects.filter(user=user, read_at__isnull=True)[:limit]


def unread_count(user):
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def inbox(user, *, unread_only=False):
    rows = Notification.objects.filter(user=user)
    return rows.filter(read_at__isnull=True) if unread_only else rows


def mark_read(notification, *, actor):
    """Opening a notification reads it (once: a second open changes nothing)."""
    if notification.user_id != actor.pk:
        raise PermissionDenied("只能阅读自己的通知")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
        audit.record("core.notification.read", actor=actor, target=notification)
    return notification


def mark_all_read(user):
    count = Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
    if count:
        audit.record("core.notification.read_all", actor=user, target=user, after={"count": count})
    return count


# --- preferences ----------------------------------------------------------------------------------

def kinds_for(user):
    return {key: kind for key, kind in KINDS.items() if user.role in kind.roles or (user.is_superuser and kind.roles)}


def setting_of(user):
    return NotificationSetting.objects.filter(user=user).first() or NotificationSetting(user=user)


@transaction.atomic
def save_preferences(user, channels, *, actor):
    """`channels`: {kind: [channel, ...]} for the kinds offered to the user. SMS needs the
    account's phone, WeChat a bound WeChat (forms check both first, with a message)."""
    setting = setting_of(user)
    before = dict(setting.channels)
    offered = kinds_for(user)
    setting.channels = {kind: sorted(set(chosen) & set(Delivery.Channel.values))
                        for kind, chosen in channels.items() if kind in offered and chosen}
    setting.save()
    audit.record("core.notification.preferences_saved", actor=actor, target=user,
                 before={"channels": before}, after={"channels": setting.channels})
    return setting


@transaction.atomic
def bind_wechat(user, openid, *, actor):
    setting = setting_of(user)
    setting.wechat_openid = openid
    setting.save()
    audit.record("core.notification.wechat_bound", actor=actor, target=user)
    return setting


@transaction.atomic
def unbind_wechat(user, *, actor):
    setting = setting_of(user)
    setting.wechat_openid = ""
    # Without a WeChat, no event can go there any more.
    setting.channels = {kind: [c for c in chosen if c != Delivery.Channel.WECHAT]
                        for kind, chosen in setting.channels.items()}
    setting.channels = {kind: chosen for kind, chosen in setting.channels.items() if chosen}
    setting.save()
    audit.record("core.notification.wechat_unbound", actor=actor, target=user)
    return setting


# --- delivery, in the task worker ----------------------------------------------------------------

def channel_sender(channel):
    return import_string(settings.NOTIFICATION_CHANNELS[channel])


def deliver(pk):
    """Send one delivery if nobody has (claimed by a conditional update); returns its state,
    or None when another worker has it or it is done."""
    now = timezone.now()
    claimed = Delivery.objects.filter(pk=pk, state__in=[Delivery.State.QUEUED, Delivery.State.FAILED],
                                      attempts__lt=MAX_ATTEMPTS).update(
        state=Delivery.State.SENDING, attempts=F("attempts") + 1, tried_at=now)
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("notification__user").get(pk=pk)
    try:
        channel_sender(delivery.channel)(delivery)
    except DeliveryFailed as exc:
        fields = {"state": Delivery.State.FAILED, "reason": str(exc)[:200]}
        if not exc.retry:
            fields["attempts"] = MAX_ATTEMPTS
        Delivery.objects.filter(pk=pk).update(**fields)
        return Delivery.State.FAILED
    except Exception:
        # A fault of ours, not the provider's: recorded, and not tried again blindly.
        logger.exception("notification delivery %s failed", pk)
        Delivery.objects.filter(pk=pk).update(state=Delivery.State.FAILED, reason="发送程序出错，请联系系统管理员",
                                              attempts=MAX_ATTEMPTS)
        return Delivery.State.FAILED
    Delivery.objects.filter(pk=pk).update(state=Delivery.State.SENT, sent_at=timezone.now(), reason="")
    return Delivery.State.SENT


@task()
def deliver_task(ids):
    return [deliver(pk) for pk in ids]


def retry_failed(now=None):
    """Try again the failed deliveries that may still succeed, once their pause is over;
    close the ones cut off while sending. Returns how many were sent now."""
    now = now or timezone.now()
    Delivery.objects.filter(state=Delivery.State.SENDING, tried_at__lt=now - STALE_SENDING).update(
        state=Delivery.State.FAILED, reason="发送中断，结果未知，未再重发", attempts=MAX_ATTEMPTS)
    due = Delivery.objects.filter(state=Delivery.State.FAILED, attempts__lt=MAX_ATTEMPTS,
                                  tried_at__lt=now - RETRY_AFTER).values_list("pk", flat=True)[:500]
    return sum(deliver(pk) == Delivery.State.SENT for pk in list(due))


@task()
def retry_task():
    return retry_failed()
