from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wenming.campaigns import clock
from wenming.campaigns.services import current_campaign
from wenming.core.excel import build_workbook, caption_for, xlsx_response
from wenming.core.notifications import unread
from wenming.core.roles import Role
from wenming.dashboard import boards, panels
from wenming.dashboard.todos import registry_summary, todos_for


@require_GET
@login_required
def workbench(request):
    campaign = current_campaign()
    user = request.user
    context = {
        "campaign": campaign,
        "current_phase": clock.current_phase(campaign),
        "todos": todos_for(user, campaign),
        "summary": registry_summary(user) if user.role in (Role.OFFICE, Role.DISTRICT, Role.COMPANY) else None,
        "scope": user.district or user.company or "",
        "notifications": unread(user),
    }
    return render(request, "dashboard/workbench.html", context)


def _viewer(request, id_only=False):
    """The office (the city) and district bureaus (their district) read dashboards; any other
    role is refused. The current campaign (its id only for a page, which needs the row only
    when its panels are not in the cache)."""
    user = request.user
    if not (user.is_superuser or user.role in (Role.OFFICE, Role.DISTRICT)):
        raise PermissionDenied("只有评选工作办公室和区主管部门可以查看数据看板")
    campaign = current_campaign(id_only=id_only)
    if campaign is None:
        raise Http404("尚未加载活动")
    return campaign


def _page(request, campaign_id, scope, own):
    own_scope = panels.scope_for(request.user)
    return render(request, "dashboard/board.html", {
        "scope": scope, "trail": boards.trail(scope, own_scope),
        # a SafeString, rendered by our template
        "panels_html": boards.render_panels(campaign_id, scope, own, viewer=request.user),
    })


def _export(request, campaign, scope, panel):
    if panel not in panels.available(campaign, request.user):
        raise Http404
    data = panels.PANELS[panel](campaign, scope)
    content = build_workbook([(data.title, data.headers, data.rows)], caption=caption_for(campaign, scope.label))
    return xlsx_response(f"{data.title}-{scope.label}.xlsx", content)


@require_GET
@login_required
def board(request):
    campaign_id = _viewer(request, id_only=True)
    return _page(request, campaign_id, panels.scope_for(request.user), own=True)


@require_GET
@login_required
def scoped_board(request, kind, pk):
    campaign_id = _viewer(request, id_only=True)
    return _page(request, campaign_id, panels.scope_for(request.user, kind, pk), own=False)


@require_GET
@login_required
def board_export(request, panel):
    campaign = _viewer(request)
    return _export(request, campaign, panels.scope_for(request.user), panel)


@require_GET
@login_required
def scoped_export(request, kind, pk, panel):
    campaign = _viewer(request)
    return _export(request, campaign, panels.scope_for(request.user, kind, pk), panel)
