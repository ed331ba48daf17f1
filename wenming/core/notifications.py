"""In-app notifications, sent after the transaction that caused them commits."""

from django.db import transaction

from wenming.core.models import Notification


def notify(users, message, link=""):
    users = [u for u in users if u.is_active]
    if not users:
        return

    def send():
        Notification.objects.bulk_create([Notification(user=u, message=message[:300], link=link) for u in users])

    transaction.on_commit(send)


def unread(user, limit=10):
    return Notification.objects.filter(user=user, read_at__isnull=True)[:limit]
