from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from wenming.campaigns import clock, services
from wenming.campaigns.forms import ExtensionForm
from wenming.campaigns.models import Campaign
from wenming.core.access import role_required
from wenming.core.models import AuditEntry
from wenming.core.roles import Role


def current_campaign_or_404():
    campaign = Campaign.objects.current()
    if campaign is None:
        raise Http404("尚未加载活动")
    return campaign


@require_GET
def home(request):
    campaign = Campaign.objects.current()
    context = {"campaign": campaign}
    if campaign is not None:
        phase = clock.current_phase(campaign)
        context.update(
            timeline=clock.timeline(campaign),
            current_phase=phase,
            awards=campaign.awards.all(),
            announcements=campaign.announcements.all()[:5],
        )
    return render(request, "campaigns/home.html", context)


@require_GET
def privacy(request):
    campaign = current_campaign_or_404()
    return render(request, "campaigns/privacy.html", {"campaign": campaign})


@require_http_methods(["GET", "POST"])
@role_required(Role.OFFICE)
def campaign_settings(request):
    campaign = current_campaign_or_404()
    form = ExtensionForm(request.POST or None, campaign=campaign)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                record = services.extend_window(
                    campaign, form.cleaned_data["target"], form.new_end(), actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error("new_end_day" if field == "new_end" else field, errors)
            else:
                messages.success(request, f"已延长：{record}")
                return redirect("campaigns:settings")
        status = 400
    extensions = AuditEntry.objects.filter(action__in=["campaigns.phase.extended", "campaigns.deadline.extended"])
    actions = [(key, *clock.window(campaign, key)) for key in campaign.rules["actions"]]
    return render(request, "campaigns/settings.html", {
        "campaign": campaign, "form": form, "timeline": clock.timeline(campaign),
        "deadlines": campaign.deadlines.all(), "actions": actions, "extensions": extensions[:20],
        "rule_sets": campaign.rule_sets.all()[:10], "awards": campaign.awards.all(),
    }, status=status)
