from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from wenming.core import audit_text
from wenming.core.access import role_required
from wenming.core.excel import workbook_response
from wenming.core.forms import AuditFilterForm
from wenming.core.models import AuditEntry
from wenming.core.roles import Role

EXPORT_LIMIT = 50000


def _filtered(request):
    form = AuditFilterForm(request.GET or None)
    queryset = AuditEntry.objects.select_related("actor")
    if form.is_valid():
        queryset = form.filter(queryset)
    return form, queryset


@require_GET
@role_required(Role.OFFICE)
def audit_list(request):
    form, queryset = _filtered(request)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    template = "core/audit_list.html#results" if request.htmx else "core/audit_list.html"
    return TemplateResponse(request, template, {"form": form, "page": page, "query": request.GET.urlencode()})


@require_GET
@role_required(Role.OFFICE)
def audit_export(request):
    _, queryset = _filtered(request)
    headers = ["时间", "操作", "操作人", "角色", "对象类型", "对象编号", "对象", "变更前", "变更后", "原因", "IP", "请求编号",
               "事项"]
    rows = (
        [e.created_at, e.action, e.actor_name, e.actor_role, audit_text.kind_name(e.target_type), e.target_id,
         e.target_repr,
         _json(e.before), _json(e.after), e.reason, e.ip or "", e.request_id, audit_text.sentence(e)]
        for e in queryset[:EXPORT_LIMIT].iterator(chunk_size=1000)
    )
    return workbook_response("审计日志.xlsx", [("审计日志", headers, rows)], campaign=None, user=request.user)


def _json(value):
    import json

    return "" if value is None else json.dumps(value, ensure_ascii=False)
