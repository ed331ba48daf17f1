"""Excel import of registry records: validate every row first, then write all rows in one
transaction or none at all.

Validation runs outside the write transaction so that its progress (a plain UPDATE of the
job row) is visible to the page polling it; the write pass is short.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone

from wenming.core import audit, request_context
from wenming.core.excel import UnreadableImport, is_xlsx, read_rows
from wenming.core.models import Job
from wenming.core.roles import Role
from wenming.core.validators import is_masked, mask_phone
from wenming.registry.resources import RESOURCES, RowLookups, find_existing, natural_key, row_to_form_data
from wenming.registry.services import save_record_entry

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 50
MASKED_FIELDS = ("phone", "contact_phone")


def job_kind(resource):
    return f"registry.import.{resource.key}"


def start_import(resource, uploaded, *, actor):
    """Check the file and queue the import; returns the Job. Raises ValidationError."""
    if not resource.can_import(actor):
        raise PermissionDenied("您的角色无权导入此类记录")
    if uploaded.size > settings.IMPORT_MAX_BYTES:
        raise ValidationError(
            "文件过大（%(size)s MB），上限为 %(max)s MB",
            params={"size": round(uploaded.size / 1048576, 1), "max": settings.IMPORT_MAX_BYTES // 1048576},
            code="too_large",
        )
    head = uploaded.read(4)
    uploaded.seek(0)
    if not is_xlsx(head):
        raise ValidationError("文件不是有效的 Excel（.xlsx）文件，请使用下载的模板", code="not_xlsx")
    ctx = request_context.current()
    with transaction.atomic():
        job = Job(kind=job_kind(resource), created_by=actor, file_name=uploaded.name[:200],
                  report={"ip": ctx.ip, "request_id": ctx.request_id})
        job.file.save(f"{resource.key}.xlsx", uploaded, save=False)
        job.save()
        audit.record("registry.import.started", actor=actor, target=job, after={"file": job.file_name})
        transaction.on_commit(lambda: run_import_task.enqueue(job.pk))
    return job


def _finish(job, status, **report):
    job.report = {k: v for k, v in job.report.items() if k in ("ip", "request_id")} | report
    job.status = status
    job.finished_at = timezone.now()
    job.save(update_fields=["report", "status", "finished_at"])
    action = "registry.import.completed" if status == Job.Status.SUCCEEDED else "registry.import.failed"
    summary = {k: v for k, v in report.items() if k != "errors"}
    if "errors" in report:
        summary["error_count"] = len(report["errors"])
    audit.record(action, actor=job.created_by, target=job, after=summary)
    return job


def _scope_error(actor, data):
    if actor.role == Role.DISTRICT and "district" in data and data["district"] != actor.district_id:
        return "所属区不在您的管辖范围"
    if actor.role == Role.COMPANY and "company" in data and data["company"] != actor.company_id:
        return "只能导入本企业的记录"
    return None


def _restore_masked(data, existing):
    """An exported file carries masked phones; a masked value that matches the record
    it updates means "unchanged"."""
    for name in MASKED_FIELDS:
        value = data.get(name, "")
        if not is_masked(value):
            continue
        if existing is not None and mask_phone(getattr(existing, name)) == value:
            data[name] = getattr(existing, name)
        else:
            return "手机号已脱敏且无法对应已有记录，请填写完整号码"
    return None


def _form_errors(form):
    parts = []
    for name, messages in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for message in messages:
            parts.append(f"{label}：{message}" if label else message)
    return parts


def validate_rows(job, resource, rows, actor):
    lookups = RowLookups()
    forms, errors, seen = [], [], {}
    for index, (number, values) in enumerate(rows, start=1):
        data, problems = row_to_form_data(resource, values, lookups)
        existing = None
        if not problems:
            problems = [p for p in (_scope_error(actor, data),) if p]
        if not problems:
            existing = find_existing(resource, data)
            if existing is not None and not resource.model.objects.visible_to(actor).filter(pk=existing.pk).exists():
                problems.append("该记录不在您的管辖范围")
            masked = _restore_masked(data, existing)
            if masked:
                problems.append(masked)
        if not problems:
            form = resource.form_class(data=data, instance=existing, user=actor)
            if form.is_valid():
                key = natural_key(resource, form.cleaned_data | data)
                if key in seen:
                    problems.append(f"与第 {seen[key]} 行重复")
                else:
                    seen[key] = number
                    forms.append(form)
            else:
                problems.extend(_form_errors(form))
        if problems:
            errors.append(f"第 {number} 行：" + "；".join(problems))
        if index % PROGRESS_EVERY == 0:
            job.progress(done=index)
    job.progress(done=len(rows))
    return forms, errors


@task()
def run_import_task(job_id):
    run_import(job_id)


def run_import(job_id):
    job = Job.objects.select_related("created_by").get(pk=job_id)
    if job.status != Job.Status.QUEUED:
        return job  # already run: a repeated delivery changes nothing
    token = request_context.activate(
        request_context.RequestContext(ip=job.report.get("ip"), request_id=job.report.get("request_id", ""))
    )
    try:
        return _run(job)
    finally:
        request_context.reset(token)


def _run(job):
    resource = RESOURCES[job.kind.rsplit(".", 1)[1]]
    actor = job.created_by
    try:
        with job.file.open("rb") as fh:
            rows = list(read_rows(fh))
    except UnreadableImport as exc:  # not an .xlsx, or more rows than settings.IMPORT_MAX_ROWS
        return _finish(job, Job.Status.FAILED, errors=[str(exc)])
    headers = [str(v).strip() if v is not None else "" for v in (rows[0][1] if rows else [])]
    expected = [c.header for c in resource.columns]
    if headers[: len(expected)] != expected:
        missing = [h for h in expected if h not in headers]
        detail = "缺少列：" + "、".join(missing) if missing else "列的顺序与模板不一致"
        header_row = rows[0][0] if rows else 1  # row 2 in one of our exports read back (row 1: its caption)
        return _finish(job, Job.Status.FAILED, errors=[f"第 {header_row} 行（表头）：{detail}，请使用下载的模板"])
    body = [(n, (v + [None] * len(expected))[: len(expected)]) for n, v in rows[1:]]
    body = [(n, v) for n, v in body if any(c not in (None, "") for c in v)]
    if not body:
        return _finish(job, Job.Status.FAILED, errors=["文件中没有数据行"])
    job.progress(status=Job.Status.VALIDATING, total=len(body), done=0)
    forms, errors = validate_rows(job, resource, body, actor)
    if errors:
        return _finish(job, Job.Status.FAILED, rows=len(body), errors=errors)
    job.progress(status=Job.Status.WRITING)
    created = updated = unchanged = 0
    try:
        with transaction.atomic():
            entries = []
            for form in forms:
                is_new = form.instance.pk is None
                _, entry = save_record_entry(form, actor=actor)
                if entry is None:
                    unchanged += 1
                    continue
                created, updated = created + is_new, updated + (not is_new)
                entries.append(entry)
            audit.record_many(entries)
    except IntegrityError:
        logger.warning("registry import %s hit a conflict while writing", job.pk)
        return _finish(job, Job.Status.FAILED, rows=len(body),
                       errors=["写入时发现重复记录（如企业名称重复），已全部撤销，请检查后重新导入"])
    return _finish(job, Job.Status.SUCCEEDED, rows=len(body), created=created, updated=updated, unchanged=unchanged)
