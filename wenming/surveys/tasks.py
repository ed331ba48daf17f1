"""Survey work for the task worker, enqueued by the scheduler."""

from django.tasks import task

from wenming.campaigns.services import current_campaign
from wenming.surveys import services


@task()
def coverage_reminder_task():
    """Near the survey's close, tell surveyors and district bureaus of communities below the
    coverage target (once per campaign each)."""
    campaign = current_campaign()
    return services.remind_low_coverage(campaign) if campaign is not None else 0
