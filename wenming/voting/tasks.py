"""Voting work for the task worker, enqueued by the scheduler (settings.SCHEDULES)."""

from django.tasks import task

from wenming.campaigns.services import current_campaign
from wenming.voting import review


@task()
def minimize_addresses_task():
    """Once the current campaign's fraud review is closed, votes keep only their /24."""
    campaign = current_campaign()
    return review.minimize_addresses(campaign) if campaign is not None else 0
