"""The answers a phone kept while it had no signal (static/wenming/survey-queue.js) arrive
here: the same questionnaire as the pages, answered in JSON so the script knows whether to
drop the entry (recorded, or refused for good) or keep it and try again.

Exactly once: every try carries the entry's `client_id`, and `services.record_response`
answers a repeat with the stored response (`created` false), so a try whose answer was lost
on the way back, sent again, records nothing new."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from wenming.campaigns.services import current_campaign
from wenming.core.access import get_in_scope, role_required
from wenming.core.identity.phone_step import verified_resident
from wenming.core.pages import REFUSALS, refusal
from wenming.core.roles import Role
from wenming.registry.models import Community
from wenming.surveys import services
from wenming.surveys.forms import ResponseForm
from wenming.surveys.models import Assignment, Response
from wenming.surveys.views import HOUSEHOLD_REFUSALS, device_of


def _answer(status, message, **extra):
    return JsonResponse({"ok": status < 300, "message": message, **extra}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def _record(request, campaign, community, *, channel, next_url, **who):
    """Validate and record one kept entry; the JSON answer the script acts on."""
    form = ResponseForm(request.POST, survey=services.spec(campaign))
    if not form.is_valid():
        return _answer(400, "请填写户号并回答全部问题",
                       fields={name: errors[0] for name, errors in form.errors.items()})
    data = form.cleaned_data
    try:
        response, created = services.record_response(
            campaign, community, household=(data["building"], data["unit"], data["room"]), answers=form.answers(),
            client_id=data["client_id"], channel=channel, started_at=data["started_at"],
            recorded_at=data["recorded_at"], **who)
    except REFUSALS as exc:
        status, text = refusal(exc)
        extra = {"fields": {"room": text}} if isinstance(exc, HOUSEHOLD_REFUSALS) else {}
        return _answer(status, text, **extra)
    text = f"{community.name} {response.household} 已记录" + ("" if created else "（此前已收到，未重复计数）")
    if request.headers.get("X-Survey-Current") == "1":  # the entry just made on this page: say so on the next one
        messages.success(request, text + ("；录入用时过短，已标记待核实" if response.flagged_fast else ""))
    return _answer(201 if created else 200, text, household=response.household, next=next_url)


@require_POST
@role_required(Role.SURVEYOR, Role.OFFICE)
def entry(request, pk):
    campaign = current_campaign(or_404=True)
    community = get_in_scope(services.assigned_communities(request.user, campaign), pk)
    return _record(request, campaign, community, channel=Response.Channel.SURVEYOR, surveyor=request.user,
                   next_url=reverse("surveys:entry", args=[community.pk]))


def _self_fill_community(campaign, pk):
    return get_in_scope(Community.objects.filter(pk__in=Assignment.objects.filter(campaign=campaign)
                                                 .values("community_id")), pk)


@require_POST
def self_fill(request, pk):
    campaign = current_campaign(or_404=True)
    community = _self_fill_community(campaign, pk)
    resident = verified_resident(request)
    if resident is None:  # kept on the phone until the resident verifies again
        return _answer(401, "手机号验证已失效，请刷新页面重新验证，问卷会自动提交")
    return _record(request, campaign, community, channel=Response.Channel.SELF,
                   resident=resident, device=device_of(request),
                   next_url=reverse("surveys:self_fill_thanks", args=[community.pk]))


@require_GET
def self_fill_thanks(request, pk):
    campaign = current_campaign(or_404=True)
    return render(request, "surveys/thanks.html", {"community": _self_fill_community(campaign, pk)})
