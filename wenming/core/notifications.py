"""In-app notifications, sent after the transaction that caused them commits."""

from django.db import transaction

from wenming.core.models import Notification


def notify(users, message, link=""):
    notify_each([(users, message, link)])


def notify_each(messages):
    """Several notifications [(users, message, link)] in one write (a sweep's reminders)."""
    rows = [Notification(user=u, message=message[:300], link=link)
            for users, message, link in messages for u in users if u.is_active]
    if rows:
        transaction.on_commit(lambda: Notification.objects.bulk_create(rows, batch_size=1000))


def unread(user, limit=10):
    return Notification.objects.filter(user=user, read_at__isnull=True)[:limit]
