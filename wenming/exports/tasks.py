"""Export work for the task worker, enqueued by the scheduler (settings.SCHEDULES)."""

from django.tasks import task

from wenming.exports import services


@task()
def sweep_task():
    """Export jobs whose worker died are marked failed, so their users may take them again."""
    return services.abandon_stuck()
