from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wenming.campaigns import clock
from wenming.campaigns.services import current_campaign
from wenming.core.notifications import unread
from wenming.core.roles import Role
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
