from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods

from wenming.core.access import get_in_scope, role_required
from wenming.core.excel import build_workbook, workbook_response, xlsx_response
from wenming.core.models import Job
from wenming.registry import services
from wenming.registry.forms import ImportForm, RegistryFilterForm
from wenming.registry.importing import start_import
from wenming.registry.resources import READ_ROLES, RESOURCES

PAGE_SIZE = 50


def _resource(key):
    try:
        return RESOURCES[key]
    except KeyError:
        raise Http404("页面不存在") from None


def _filtered(request, resource):
    form = RegistryFilterForm(request.GET or None, resource=resource)
    queryset = resource.queryset(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("q"):
            queryset = queryset.filter(resource.search_q(data["q"]))
        if data.get("district"):
            queryset = queryset.filter(district=data["district"])
        if data.get("post"):
            queryset = queryset.filter(post=data["post"])
    return form, queryset


@require_GET
@role_required(*READ_ROLES)
def record_list(request, resource):
    resource = _resource(resource)
    form, queryset = _filtered(request, resource)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "resource": resource,
        "filter_form": form,
        "page": page,
        "can_write": services.can_write(request.user, resource.model),
        "can_import": resource.can_import(request.user),
        "query": request.GET.urlencode(),
    }
    template = "registry/list.html#results" if request.htmx and not request.htmx.boosted else "registry/list.html"
    return TemplateResponse(request, template, context)


def _save_form(request, resource, instance=None):
    form = resource.form_class(request.POST or None, instance=instance, user=request.user)
    if request.method == "POST":
        services.ensure_can_write(request.user, resource.model)
        if form.is_valid():
            record = services.save_record(form, actor=request.user)
            messages.success(request, f"已保存：{record}")
            return None, record
    return form, None


@require_http_methods(["GET", "POST"])
@role_required(*READ_ROLES)
def record_create(request, resource):
    resource = _resource(resource)
    services.ensure_can_write(request.user, resource.model)
    form, record = _save_form(request, resource)
    if record is not None:
        return redirect("registry:detail", resource=resource.key, pk=record.pk)
    return render(request, "registry/form.html", {"resource": resource, "form": form, "record": None},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@role_required(*READ_ROLES)
def record_detail(request, resource, pk):
    resource = _resource(resource)
    record = get_in_scope(resource.queryset(request.user), pk)
    can_write = services.can_write(request.user, resource.model)
    if request.method == "POST" and not can_write:
        raise PermissionDenied("您的角色无权修改此类记录")
    form, saved = _save_form(request, resource, instance=record) if can_write else (None, None)
    if saved is not None:
        return redirect("registry:detail", resource=resource.key, pk=saved.pk)
    fields = [(c.header, c.export(record)) for c in resource.columns]
    return render(
        request, "registry/detail.html",
        {"resource": resource, "record": record, "form": form, "fields": fields, "can_write": can_write},
        status=400 if form is not None and form.errors else 200,
    )


@require_GET
@role_required(*READ_ROLES)
def record_export(request, resource):
    resource = _resource(resource)
    _, queryset = _filtered(request, resource)
    headers = [c.header for c in resource.columns]
    rows = ([c.export(obj) for c in resource.columns] for obj in queryset.iterator(chunk_size=500))
    # The registry stands below campaigns: its lists are captioned without one.
    return workbook_response(f"{resource.label}.xlsx", [(resource.label, headers, rows)], campaign=None,
                             user=request.user)


@require_GET
@role_required(*READ_ROLES)
def import_template(request, resource):
    resource = _resource(resource)
    if not resource.can_import(request.user):
        raise PermissionDenied("您的角色无权导入此类记录")
    headers = [c.header for c in resource.columns]
    notes = [("必填列：" + "、".join(c.header for c in resource.columns if c.required),),
             ("日期格式：2019-09-15；从第 2 行起每行一条记录，表头请勿修改。",)]
    notes += [(n,) for n in resource.notes]
    content = build_workbook([
        (resource.label, headers, [[c.example for c in resource.columns]]),
        ("填写说明", ["说明"], notes),
    ])
    return xlsx_response(f"{resource.label}导入模板.xlsx", content)


@require_http_methods(["GET", "POST"])
@role_required(*READ_ROLES)
def import_upload(request, resource):
    resource = _resource(resource)
    if not resource.can_import(request.user):
        raise PermissionDenied("您的角色无权导入此类记录")
    form = ImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                job = start_import(resource, form.cleaned_data["file"], actor=request.user)
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                messages.success(request, "文件已上传，正在导入，本页显示导入结果")
                return redirect("registry:import_job", pk=job.pk)
        status = 413 if form.has_error("file", "too_large") else 400
    return render(request, "registry/import.html", {"resource": resource, "form": form}, status=status)


@require_GET
@role_required(*READ_ROLES)
def import_job(request, pk):
    queryset = Job.objects.filter(kind__startswith="registry.import.")
    if not request.user.is_superuser:
        queryset = queryset.filter(created_by=request.user)
    job = get_in_scope(queryset, pk)
    resource = RESOURCES[job.kind.rsplit(".", 1)[1]]
    template = "registry/job.html#progress" if request.htmx else "registry/job.html"
    return TemplateResponse(request, template, {"job": job, "resource": resource})
