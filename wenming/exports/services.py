"""Taking an export: a small one is written at once; a large one (an entry marked
`background`, or more rows than `settings.EXPORT_BACKGROUND_ROWS`) becomes a `Job` the task
worker writes, with progress, to a private file only the user who asked may download, and only
while they may still take that export, in the same scope (`may_download`).

A job whose worker died (SIGKILL, a lost machine) would stay queued or writing forever: the
scheduled sweep (`abandon_stuck`, settings.SCHEDULES "exports-sweep") marks every job older
than `settings.EXPORT_JOB_LIMIT` failed, with a reason the user reads on the job's page, which
offers to take the export again. A worker that was merely slow and finishes after that finds
its job no longer writing and keeps nothing (each state change is a conditional update)."""

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
ABANDONED = "导出中断：后台任务超过 {minutes} 分钟仍未完成（可能已停止运行），请重新导出"


def scope_key(user):
    """What a user's export is cut to, as ids: a file stays theirs while this stays the same."""
    return {"district": user.district_id, "company": user.company_id}


def may_download(job, user):
    """Whether `user`, the job's owner, may still have its file: they may still take the
    export, and their district and company are still those it was written for."""
    entry = BY_KEY.get(job.report.get("export"))
    if entry is None or not entry.allowed(user):
        return False
    written_for = job.report.get("scope")
    return written_for is None or written_for == scope_key(user)


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
                                     total=rows or 0, report={"export": entry.key, "campaign": campaign.pk,
                                                              "scope": scope_key(user)})
            audit.record("exports.started", actor=user, target=job, after={"export": entry.key, "rows": rows})
            transaction.on_commit(lambda: run_export_task.enqueue(job.pk))
        return None, job
    content = workbook_for(tables, campaign=campaign, user=user)
    audit.record("exports.taken", actor=user, target_type="exports.export", target_id=entry.key,
                 after={"export": entry.key, "rows": rows})
    return content, None


def write(job, progress_every=None):
    """The worker's part, once `run_export_task` has claimed the job (WRITING): build the sheets
    again for the job's user (scope at the time of writing), stream them to the job's file,
    writing progress as rows go. Returns the job, or None when it was no longer writing at the
    end (the sweep gave it up meanwhile: the file is not kept)."""
    entry = BY_KEY[job.report["export"]]
    campaign = Campaign.objects.get(pk=job.report["campaign"])
    user = job.created_by
    tables = entry.tables(user, campaign)
    total = rows_of(tables) or 0  # 0: not known beforehand, the page shows a bar without a figure
    job.progress(done=0, total=total)
    every = progress_every or max(500, total // 20)

    def progress(done):
        job.progress(done=done, total=max(total, done) if total else None)

    content = workbook_for(tables, campaign=campaign, user=user, progress=progress, every=every)
    if job.total < job.done:
        job.progress(total=job.done)
    job.file.save(f"export-{job.pk}.xlsx", ContentFile(content), save=False)
    job.status = Job.Status.SUCCEEDED
    job.finished_at = timezone.now()
    job.report = {**job.report, "rows": job.done, "bytes": len(content), "scope": scope_key(user)}
    kept = Job.objects.filter(pk=job.pk, status=Job.Status.WRITING).update(
        file=job.file.name, status=job.status, finished_at=job.finished_at, report=job.report)
    if not kept:
        job.file.delete(save=False)
        return None
    audit.record("exports.completed", actor=user, target=job, after={"export": entry.key, "rows": job.done})
    return job


@task()
def run_export_task(job_id):
    job = Job.objects.select_related("created_by").get(pk=job_id)
    # Claimed by a conditional update: a job the sweep gave up, or another worker took, is left.
    if not Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(status=Job.Status.WRITING):
        return Job.objects.values_list("status", flat=True).get(pk=job.pk)
    try:
        write(job)
    except Exception as exc:
        failed = Job.objects.filter(pk=job.pk, status=Job.Status.WRITING).update(
            status=Job.Status.FAILED, finished_at=timezone.now(),
            report={**job.report, "error": "导出失败，请重试或联系管理员"})
        if failed:
            audit.record("exports.failed", actor=job.created_by, target=job, after={"error": type(exc).__name__})
        raise
    return Job.objects.values_list("status", flat=True).get(pk=job.pk)


def abandon_stuck(now=None):
    """Mark failed every export job still queued or writing `settings.EXPORT_JOB_LIMIT` after
    it was asked for (its worker died: the user is told so and may take it again); returns
    how many."""
    now = now or timezone.now()
    limit = settings.EXPORT_JOB_LIMIT
    message = ABANDONED.format(minutes=int(limit.total_seconds() // 60))
    stuck = Job.objects.filter(kind__startswith=KIND, status__in=[Job.Status.QUEUED, Job.Status.WRITING],
                               created_at__lt=now - limit)
    abandoned = 0
    for job in stuck.select_related("created_by"):
        with transaction.atomic():
            if not Job.objects.filter(pk=job.pk, status=job.status).update(
                    status=Job.Status.FAILED, finished_at=now, report={**job.report, "error": message}):
                continue  # it finished (or failed) meanwhile
            audit.record("exports.abandoned", target=job, before={"status": job.status},
                         after={"status": Job.Status.FAILED, "error": message})
        abandoned += 1
    return abandoned


def jobs_of(user):
    """The user's own export jobs (another user's, even of the same district, are absent)."""
    return Job.objects.filter(kind__startswith=KIND, created_by=user)
