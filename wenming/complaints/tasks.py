"""Complaint work for the task worker: the sweep, enqueued by the scheduler or cron."""

from django.tasks import task

from wenming.campaigns.models import Campaign
from wenming.complaints import services


@task()
def sweep_task():
    """Remind and escalate overdue steps of the current campaign's complaints (idempotent:
    each reminder and escalation is made once per ticket, step and round)."""
    campaign = Campaign.objects.current()
    return services.sweep(campaign) if campaign is not None else (0, 0)
