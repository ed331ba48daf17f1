from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from wenming.awards.models import Showcase
from wenming.campaigns.views import current_campaign_or_404
from wenming.core.access import get_in_scope, role_required
from wenming.core.errors import Conflict
from wenming.core.roles import Role
from wenming.voting import review
from wenming.voting.models import FraudDecision


@require_GET
@role_required(Role.OFFICE)
def fraud_overview(request):
    campaign = current_campaign_or_404()
    counts, flagged = review.overview(campaign)
    selected = request.GET.get("candidate")
    series = []
    if selected:
        candidate = get_in_scope(Showcase.objects.filter(application__campaign=campaign), selected)
        series = review.time_series(candidate)
    return render(request, "voting/fraud.html", {
        "counts": sorted(counts.items(), key=lambda kv: -kv[1]["counted"]), "flagged": flagged, "series": series,
        "decisions": FraudDecision.objects.select_related("candidate", "requested_by", "approved_by")[:30],
    })


@require_POST
@role_required(Role.OFFICE)
def fraud_decide(request):
    campaign = current_campaign_or_404()
    candidate = get_in_scope(Showcase.objects.filter(application__campaign=campaign), request.POST.get("candidate"))
    action = request.POST.get("action")
    if action not in FraudDecision.Action.values:
        messages.error(request, "请选择放行或作废")
        return redirect("voting_office:fraud")
    try:
        decision = review.decide(campaign, candidate=candidate, network=request.POST.get("network", "")[:60],
                                 action=action, reason=request.POST.get("reason", "")[:300], actor=request.user)
    except (ValidationError, Conflict) as exc:
        messages.error(request, "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        return redirect("voting_office:fraud")
    messages.success(request, "已提交，待另一名成员批准" if decision.state == "pending" else "已执行")
    return redirect("voting_office:fraud")


@require_POST
@role_required(Role.OFFICE)
def fraud_approve(request, pk):
    decision = get_in_scope(FraudDecision.objects.all(), pk)
    try:
        review.approve(decision, actor=request.user)
    except (PermissionDenied, Conflict) as exc:
        messages.error(request, str(exc))
        return redirect("voting_office:fraud")
    messages.success(request, "已批准并执行")
    return redirect("voting_office:fraud")
