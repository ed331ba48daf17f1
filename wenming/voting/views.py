"""The residents' voting page: reached from a candidate's page or QR poster, verified by SMS
code (the same phone check as recommendations), one POST per vote, a receipt to keep."""

import uuid

from django import forms
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from wenming.awards.public import PHONE_SESSION_KEY, _phone_step, published_or_404
from wenming.campaigns.views import current_campaign_or_404
from wenming.core.models import Resident
from wenming.core.validators import mask_phone
from wenming.voting import services
from wenming.voting.models import Vote


class VoteForm(forms.Form):
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={
        "class": "hp", "tabindex": "-1", "autocomplete": "off"}))  # honeypot: people leave it empty


@require_http_methods(["GET", "POST"])
def vote(request, pk):
    campaign = current_campaign_or_404()
    candidate = published_or_404(pk, campaign)
    phone, response = _phone_step(request, campaign, "vote", subject=candidate)
    if response is not None:
        return response
    form = VoteForm(request.POST if request.POST.get("step") == "vote" else None,
                    initial={"idempotency_key": uuid.uuid4()})
    status, error = 200, None
    resident_id = Resident.objects.values_list("pk", flat=True).get(phone=phone)
    if request.method == "POST" and request.POST.get("step") == "vote":
        if not form.is_valid() or form.cleaned_data.get("website"):
            status, error = 400, "提交失败，请刷新页面后重试"
        else:
            try:
                cast = services.cast_vote(campaign.pk, resident_id, candidate.pk,
                                          idempotency_key=f"page-{form.cleaned_data['idempotency_key']}",
                                          ip=request.client_ip, channel="wechat" if _in_wechat(request) else "web")
            except services.VoteRefused as exc:
                status, error = exc.status, str(exc)
            else:
                return redirect("voting:receipt", receipt=cast.body["receipt"])
    used_up = services.refusal_before_vote(campaign.pk, resident_id, candidate.pk)
    return render(request, "voting/vote.html", {"candidate": candidate, "form": form, "error": error,
                                                "used_up": used_up,
                                                "rules": services.rules(campaign),
                                                "phone_masked": mask_phone(phone)}, status=status)


def _in_wechat(request):
    return "MicroMessenger" in request.headers.get("User-Agent", "")


@require_GET
def receipt(request, receipt):
    vote = Vote.objects.select_related("candidate__application__award").filter(receipt=receipt[:32]).first()
    if vote is None:
        return render(request, "voting/receipt.html", {"missing": True}, status=404)
    return render(request, "voting/receipt.html", {"vote": vote, "signed_in": bool(request.session.get(
        PHONE_SESSION_KEY))})


@require_GET
def leaderboard(request):
    """The public ranking per award, when the rules make counts public (live)."""
    campaign = current_campaign_or_404()
    visible = services.rules(campaign)["counts_visibility"] != "hidden"
    boards = [(award, services.leaderboard(campaign, award.key)["items"] if visible else [])
              for award in campaign.awards.all()]
    return render(request, "voting/leaderboard.html", {"boards": boards, "visible": visible})
