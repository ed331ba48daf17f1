"""Dashboard work for the task worker, enqueued by the scheduler (settings.SCHEDULES)."""

from django.tasks import task

from wenming.campaigns.models import Campaign
from wenming.dashboard import tally


@task()
def tally_votes_task():
    """Every campaign's closed hours of votes, tallied for the vote panels (a no-op between
    hours: one locked row read per campaign)."""
    return sum(tally.refresh(campaign) for campaign in Campaign.objects.all())
