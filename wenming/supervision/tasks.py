"""Supervision work for the task worker, enqueued by the scheduler (settings.SCHEDULES)."""

from django.tasks import task

from wenming.campaigns.services import current_campaign
from wenming.core import kept_uploads
from wenming.supervision import services


@task()
def sweep_task():
    """Reminders before rectification deadlines and overdue orders to their district (each order
    once, however often it runs), then the photos kept for forms never sent again."""
    campaign = current_campaign()
    reminded, overdue = services.sweep(campaign) if campaign is not None else (0, 0)
    return reminded, overdue, kept_uploads.sweep()
