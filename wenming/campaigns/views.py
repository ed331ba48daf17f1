from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wenming.campaigns import clock, services
from wenming.campaigns.forms import AnnouncementForm, ExtensionForm, PresetChangeForm, VotingRulesForm
from wenming.campaigns.services import current_campaign
from wenming.core.access import get_in_scope, role_required
from wenming.core.models import AuditEntry
from wenming.core.pages import REFUSALS, refusal_message, refusal_on_form
from wenming.core.roles import Role


@require_GET
def home(request):
    campaign = current_campaign()
    context = {"campaign": campaign}
    if campaign is not None:
        phase = clock.current_phase(campaign)
        context.update(
            timeline=clock.timeline(campaign),
            current_phase=phase,
            voting_open=clock.is_open(campaign, "vote"),
            awards=campaign.awards.all(),
            announcements=campaign.announcements.filter(published_at__lte=timezone.now())[:5],
        )
    return render(request, "campaigns/home.html", context)


@require_GET
def privacy(request):
    campaign = current_campaign(or_404=True)
    return render(request, "campaigns/privacy.html", {"campaign": campaign})


@require_http_methods(["GET", "POST"])
@role_required(Role.OFFICE)
def campaign_settings(request):
    campaign = current_campaign(or_404=True)
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


@require_GET
@role_required(Role.OFFICE)
def announcement_list(request):
    campaign = current_campaign(or_404=True)
    return render(request, "campaigns/announcement_list.html",
                  {"campaign": campaign, "announcements": campaign.announcements.all()})


@require_http_methods(["GET", "POST"])
@role_required(Role.OFFICE)
def announcement_edit(request, pk=None):
    campaign = current_campaign(or_404=True)
    announcement = get_in_scope(campaign.announcements.all(), pk) if pk else None
    form = AnnouncementForm(request.POST or None, instance=announcement,
                            initial={"published_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    if request.method == "POST" and form.is_valid():
        services.save_announcement(form, campaign=campaign, actor=request.user)
        messages.success(request, "公告已保存")
        return redirect("campaigns:announcements")
    return render(request, "campaigns/announcement_form.html", {"form": form, "announcement": announcement},
                  status=400 if form.errors else 200)


@require_POST
@role_required(Role.OFFICE)
def announcement_withdraw(request, pk):
    campaign = current_campaign(or_404=True)
    services.withdraw_announcement(get_in_scope(campaign.announcements.all(), pk), actor=request.user)
    messages.success(request, "公告已撤下")
    return redirect("campaigns:announcements")


def _rules_page(request, campaign, *, form=None, preset_form=None, status=200):
    current = campaign.rules["voting"]
    changes = list(campaign.rule_changes.select_related("requested_by", "approved_by")[:20])
    for change in changes:
        change.described = services.describe_change(change)
    frozen = services.frozen_sections(campaign)
    return render(request, "campaigns/voting_rules.html", {
        "form": form or VotingRulesForm(initial=current), "preset_form": preset_form or PresetChangeForm(),
        "campaign": campaign, "current": current, "frozen": services.voting_started(campaign),
        "frozen_sections": [(services.SECTION_NAMES[s], phase.name) for s, phase in frozen.items()],
        "visibility": services.shown_rule("counts_visibility", current.get("counts_visibility")),
        "changes": changes}, status=status)


@require_http_methods(["GET", "POST"])
@role_required(Role.OFFICE)
def voting_rules(request):
    campaign = current_campaign(or_404=True)
    current = campaign.rules["voting"]
    form = VotingRulesForm(request.POST or None, initial=current)
    if request.method == "POST":
        if form.is_valid():
            try:
                change = services.propose_voting_rules(campaign, form.changes(current),
                                                       reason=form.cleaned_data["reason"], actor=request.user)
            except REFUSALS as exc:
                return _rules_page(request, campaign, form=form, status=refusal_on_form(form, exc))
            messages.success(request, "已提交，待另一名成员批准后生效并公告" if change.state == "pending" else "已生效")
            return redirect("campaigns:voting_rules")
        return _rules_page(request, campaign, form=form, status=400)
    return _rules_page(request, campaign, form=form)


@require_POST
@role_required(Role.OFFICE)
def rules_propose(request):
    """A new preset file: any rule section (weights, rubrics, survey formula, checklists...)."""
    campaign = current_campaign(or_404=True)
    form = PresetChangeForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            change = services.propose_preset(form.cleaned_data["file"], campaign=campaign,
                                             reason=form.cleaned_data["reason"], actor=request.user,
                                             source=request.FILES["file"].name)
        except REFUSALS as exc:
            return _rules_page(request, campaign, preset_form=form, status=refusal_on_form(form, exc))
        messages.success(request, "已提交，待另一名成员批准后生效并公告" if change.state == "pending"
                         else f"已生效，规则版本 {campaign.rules_version}")
        return redirect("campaigns:voting_rules")
    return _rules_page(request, campaign, preset_form=form, status=400)


@require_POST
@role_required(Role.OFFICE)
def voting_rules_approve(request, pk):
    campaign = current_campaign(or_404=True)
    change = get_in_scope(campaign.rule_changes.all(), pk)
    try:
        services.approve_rule_change(change, actor=request.user)
    except REFUSALS as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, "已批准，新规则生效并已发布公告")
    return redirect("campaigns:voting_rules")
