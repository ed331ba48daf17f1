"""The export hub: the lists the signed-in role may take, each a POST (CSRF) that answers
the file at once or queues a job; the job's page (htmx polls its progress fragment) and its
download, for the user who asked only (anyone else: 404), and only while they may still take
that export in the same scope (else 403)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from wenming.campaigns.services import current_campaign
from wenming.core.access import get_in_scope, role_required
from wenming.core.excel import XLSX_TYPE, xlsx_response
from wenming.core.models import Job
from wenming.core.roles import STAFF_ROLES
from wenming.exports import services
from wenming.exports.registry import BY_KEY, available


@require_GET
@role_required(*STAFF_ROLES)
def hub(request):
    campaign = current_campaign(or_404=True)
    entries = available(request.user)
    groups = {}
    for entry in entries:
        groups.setdefault(entry.group, []).append(entry)
    jobs = list(services.jobs_of(request.user)[:10])
    for each in jobs:
        each.may_download = services.may_download(each, request.user)
    return render(request, "exports/hub.html", {"campaign": campaign, "groups": groups.items(), "jobs": jobs})


@require_POST
@role_required(*STAFF_ROLES)
def take(request, key):
    entry = BY_KEY.get(key)
    if entry is None:
        raise Http404("没有这个导出")
    if not entry.allowed(request.user):
        raise PermissionDenied("您的角色无权导出此名单")
    campaign = current_campaign(or_404=True)
    content, job = services.take(entry, user=request.user, campaign=campaign)
    if job is not None:
        messages.success(request, f"{entry.label}较大，正在后台生成，完成后可在本页下载")
        return redirect("exports:job", pk=job.pk)
    return xlsx_response(entry.filename, content)


@require_GET
@role_required(*STAFF_ROLES)
def job(request, pk):
    found = get_in_scope(services.jobs_of(request.user), pk)
    entry = BY_KEY.get(found.report.get("export"))
    template = "exports/job.html#progress" if request.htmx else "exports/job.html"
    response = TemplateResponse(request, template, {
        "job": found, "entry": entry, "may_download": services.may_download(found, request.user),
        "may_take": entry is not None and entry.allowed(request.user)})
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@role_required(*STAFF_ROLES)
def download(request, pk):
    found = get_in_scope(services.jobs_of(request.user), pk)
    if not services.may_download(found, request.user):
        raise PermissionDenied("您的角色或管辖范围已变更，无权再下载此导出文件")
    if found.status != Job.Status.SUCCEEDED or not found.file:
        raise Http404("文件尚未生成")
    response = FileResponse(found.file.open("rb"), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, found.file_name)
    response["Cache-Control"] = "private, no-store"
    return response
