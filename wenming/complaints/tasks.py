"""Complaint work for the task worker: the sweep, enqueued by the scheduler or cron."""

from django.tasks import task

from wenming.campaigns.services import current_campaign
from wenming.complaints import services


@task()
def sweep_task():
    """Remind and escalate overdue steps of the current campaign's complaints (idempotent:
    each reminder and escalation is made once per ticket, step and round)."""
    campaign = current_campaign()
    return services.sweep(campaign) if campaign is not None else (0, 0)
