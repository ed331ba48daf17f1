"""Expert work for the task worker, enqueued by the scheduler (settings.SCHEDULES)."""

from django.tasks import task

from wenming.campaigns import clock
from wenming.campaigns.services import current_campaign
from wenming.judging import services


@task()
def remind_task():
    """While scoring is open, remind each expert of the sheets they have not submitted (once a
    day from the schedule; nothing outside the scoring window)."""
    campaign = current_campaign()
    if campaign is None or not clock.is_open(campaign, services.SCORING):
        return 0
    return services.remind(campaign)
