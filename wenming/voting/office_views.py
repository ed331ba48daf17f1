from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wenming.awards.models import Showcase
from wenming.campaigns.views import current_campaign_or_404
from wenming.core.access import get_in_scope, role_required
from wenming.core.errors import Conflict, DomainError
from wenming.core.roles import Role
from wenming.voting import review, services
from wenming.voting.models import FraudDecision, Lottery


class FraudDecisionForm(forms.Form):
    candidate = forms.IntegerField(min_value=1)
    network = forms.CharField(max_length=60)
    action = forms.ChoiceField(choices=FraudDecision.Action.choices)
    reason = forms.CharField(max_length=300, error_messages={"required": "请填写核查结论和原因"})


class LotteryActionForm(forms.Form):
    act = forms.ChoiceField(choices=[("commit", "公布名单"), ("draw", "开奖"), ("deliver", "登记发放")])
    entrant = forms.IntegerField(min_value=1, required=False)
    note = forms.CharField(max_length=200, required=False)


class LotteryForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100, initial="投票居民抽奖")
    prize = forms.CharField(label="奖品", max_length=100, initial="话费 20 元")
    winners_count = forms.IntegerField(label="中奖人数", min_value=1, max_value=100000)


@require_GET
@role_required(Role.OFFICE)
def fraud_overview(request):
    campaign = current_campaign_or_404()
    counts, flagged = review.overview(campaign)
    names = {key[0]: key[1] for key in counts}
    for f in flagged:
        f["candidate_name"] = names.get(f["candidate_id"]) or f"第 {f['candidate_id']} 号候选"
    selected = request.GET.get("candidate")
    chart = candidate = None
    if selected:
        candidate = get_in_scope(Showcase.objects.filter(application__campaign=campaign)
                                 .select_related("application__campaign"), selected)
        chart = review.chart_bars(review.time_series(candidate))
    return render(request, "voting/fraud.html", {
        "counts": sorted(counts.items(), key=lambda kv: -kv[1]["counted"]), "flagged": flagged,
        "chart": chart, "candidate": candidate,
        "decisions": FraudDecision.objects.select_related("candidate", "requested_by", "approved_by")[:30],
    })


@require_POST
@role_required(Role.OFFICE)
def fraud_decide(request):
    campaign = current_campaign_or_404()
    form = FraudDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择放行或作废，并填写核查结论和原因")
        return redirect("voting_office:fraud")
    data = form.cleaned_data
    candidate = get_in_scope(Showcase.objects.filter(application__campaign=campaign), data["candidate"])
    try:
        decision = review.decide(campaign, candidate=candidate, network=data["network"], action=data["action"],
                                 reason=data["reason"], actor=request.user)
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


@require_http_methods(["GET", "POST"])
@role_required(Role.OFFICE)
def lotteries(request):
    campaign = current_campaign_or_404()
    form = LotteryForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.create_lottery(campaign, actor=request.user, **form.cleaned_data)
            messages.success(request, "抽奖已创建")
            return redirect("voting_office:lotteries")
        status = 400
    return render(request, "voting/lotteries.html", {"form": form, "lotteries": Lottery.objects.filter(
        campaign=campaign)}, status=status)


@require_http_methods(["GET", "POST"])
@role_required(Role.OFFICE)
def lottery_detail(request, pk):
    campaign = current_campaign_or_404()
    lottery = get_in_scope(Lottery.objects.filter(campaign=campaign), pk)
    if request.method == "POST":
        form = LotteryActionForm(request.POST)
        if not form.is_valid():
            messages.error(request, "未知操作")
            return redirect("voting_office:lottery", pk=lottery.pk)
        act = form.cleaned_data["act"]
        try:
            if act == "commit":
                services.commit_lottery(lottery, actor=request.user)
            elif act == "draw":
                services.draw_lottery(lottery, actor=request.user)
            else:
                entrant = get_in_scope(lottery.entrants.all(), form.cleaned_data["entrant"])
                services.record_delivery(entrant, actor=request.user, note=form.cleaned_data["note"])
        except (services.VoteRefused, DomainError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, {"commit": "承诺值已公布，开奖后任何人可验证", "draw": "已开奖"}.get(act, "已记录发放"))
        return redirect("voting_office:lottery", pk=lottery.pk)
    winners = lottery.entrants.filter(rank__isnull=False).select_related("voter__resident").order_by("rank")
    return render(request, "voting/lottery.html", {"lottery": lottery, "winners": winners,
                                                   "entrants": lottery.entrants.count()})
