"""Taking an export: a small one is written at once; a large one (an entry marked
`background`, or more rows than `settings.EXPORT_BACKGROUND_ROWS`) becomes a `Job` the task
worker writes, with progress, to a private file only the user who asked may download."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from wenming.campaigns.models import Campaign
from wenming.core import audit
from wenming.core.excel import workbook_for
from wenming.core.models import Job
from wenming.exports.registry import BY_KEY

KIND = "exports."


def rows_of(tables):
    """The rows the tables say they hold (None where a table does not know cheaply)."""
    counts = [t.count if t.count is not None else (len(t.rows) if isinstance(t.rows, list) else None)
              for t in tables]
    return None if None in counts else sum(counts)


def take(entry, *, user, campaign):
    """(content, None) for an export written now, or (None, job) for one queued for the worker."""
    if not entry.allowed(user):
        raise PermissionDenied("您的角色无权导出此名单")
    # A list that always goes to the worker is not built here at all: the page answers at once.
    tables = None if entry.background else entry.tables(user, campaign)
    rows = None if tables is None else rows_of(tables)
    if tables is None or rows is None or rows > settings.EXPORT_BACKGROUND_ROWS:
        with transaction.atomic():
            job = Job.objects.create(kind=KIND + entry.key, created_by=user, file_name=entry.filename,
                                     total=rows or 0, report={"export": entry.key, "campaign": campaign.pk})
            audit.record("exports.started", actor=user, target=job, after={"export": entry.key, "rows": rows})
            transaction.on_commit(lambda: run_export_task.enqueue(job.pk))
        return None, job
    content = workbook_for(tables, campaign=campaign, user=user)
    audit.record("exports.taken", actor=user, target_type="exports.export", target_id=entry.key,
                 after={"export": entry.key, "rows": rows})
    return content, None


def write(job, progress_every=None):
    """The worker's part: build the sheets again for the job's user (scope at the time of
    writing), stream them to the job's file, writing progress as rows go."""
    entry = BY_KEY[job.report["export"]]
    campaign = Campaign.objects.get(pk=job.report["campaign"])
    user = job.created_by
    tables = entry.tables(user, campaign)
    total = rows_of(tables) or 0  # 0: not known beforehand, the page shows a bar without a figure
    job.progress(status=Job.Status.WRITING, done=0, total=total)
    every = progress_every or max(500, total // 20)

    def progress(done):
        job.progress(done=done, total=max(total, done) if total else None)

    content = workbook_for(tables, campaign=campaign, user=user, progress=progress, every=every)
    if job.total < job.done:
        job.progress(total=job.done)
    job.file.save(f"export-{job.pk}.xlsx", ContentFile(content), save=False)
    job.status = Job.Status.SUCCEEDED
    job.finished_at = timezone.now()
    job.report = {**job.report, "rows": job.done, "bytes": len(content)}
    job.save(update_fields=["file", "status", "finished_at", "report"])
    audit.record("exports.completed", actor=user, target=job, after={"export": entry.key, "rows": job.done})
    return job


@task()
def run_export_task(job_id):
    job = Job.objects.select_related("created_by").get(pk=job_id)
    if job.status != Job.Status.QUEUED:
        return job.status
    try:
        write(job)
    except Exception as exc:
        job.status = Job.Status.FAILED
        job.finished_at = timezone.now()
        job.report = {**job.report, "error": "导出失败，请重试或联系管理员"}
        job.save(update_fields=["status", "finished_at", "report"])
        audit.record("exports.failed", actor=job.created_by, target=job, after={"error": type(exc).__name__})
        raise
    return job.status


def jobs_of(user):
    """The user's own export jobs (another user's, even of the same district, are absent)."""
    return Job.objects.filter(kind__startswith=KIND, created_by=user)
