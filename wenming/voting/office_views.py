from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wenming.awards.models import Showcase
from wenming.campaigns.views import current_campaign_or_404
from wenming.core.access import get_in_scope, role_required
from wenming.core.errors import Conflict
from wenming.core.pages import REFUSALS, form_errors, refusal_on_form
from wenming.core.roles import Role
from wenming.voting import review, services
from wenming.voting.models import FraudDecision, Lottery


class FraudDecisionForm(forms.Form):
    candidate = forms.IntegerField(min_value=1)
    network = forms.CharField(max_length=60)
    action = forms.ChoiceField(choices=FraudDecision.Action.choices)
    reason = forms.CharField(max_length=300, error_messages={"required": "请填写核查结论和原因"})


class LotteryActionForm(forms.Form):
    act = forms.ChoiceField(choices=[("commit", "公布名单"), ("value", "录入公开数值"), ("draw", "开奖"),
                                     ("deliver", "登记发放"), ("notify", "重发中奖短信")])
    entrant = forms.IntegerField(min_value=1, required=False)
    note = forms.CharField(max_length=200, required=False)


class LotteryCommitForm(forms.Form):
    public_source = forms.CharField(
        label="公开数值来源", max_length=200, error_messages={"required": "请写明公开数值的来源"},
        help_text="锁定名单时尚无人知道的公开数值，例如“中国福利彩票双色球 2019年12月10日 第2019xxx期开奖号码”",
        widget=forms.TextInput(attrs={"placeholder": "中国福利彩票双色球 某日 某期开奖号码"}))
    public_date = forms.DateField(label="公开数值产生日期", error_messages={
        "required": "请选择公开数值产生的日期", "invalid": "请按 2019-12-10 的格式填写日期"},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="须在今天之后；当天及以后由两名成员分别录入")


class PublicValueForm(forms.Form):
    value = forms.CharField(label="公开数值", max_length=100, error_messages={"required": "请录入公开数值"},
                            help_text="照公开来源逐字录入（空格多少不影响）；另一名成员须独立录入一致",
                            widget=forms.TextInput(attrs={"autocomplete": "off"}))


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


LOTTERY_DONE = {"commit": "参与名单已锁定，名单摘要和种子承诺已公布", "value": "已录入，待另一名成员独立录入",
                "draw": "已开奖，中奖短信已发出", "deliver": "已记录发放", "notify": "已重发中奖短信"}


@require_http_methods(["GET", "POST"])
@role_required(Role.OFFICE)
def lottery_detail(request, pk):
    campaign = current_campaign_or_404()
    lottery = get_in_scope(Lottery.objects.filter(campaign=campaign), pk)
    commit_form, value_form, status = LotteryCommitForm(), PublicValueForm(), 200
    if request.method == "POST":
        form = LotteryActionForm(request.POST)
        if not form.is_valid():
            messages.error(request, "未知操作")
            return redirect("voting_office:lottery", pk=lottery.pk)
        act = form.cleaned_data["act"]
        bound = {"commit": LotteryCommitForm, "value": PublicValueForm}.get(act)
        bound = bound(request.POST) if bound else form
        if act == "commit":
            commit_form = bound
        elif act == "value":
            value_form = bound
        status = 400
        if bound.is_valid():
            try:
                done = _lottery_act(request, lottery, act, form.cleaned_data | bound.cleaned_data)
            except REFUSALS as exc:
                status = refusal_on_form(bound, exc, field={"value": "value", "commit": None}.get(act))
                if bound is form:
                    messages.error(request, form_errors(form))
                    return redirect("voting_office:lottery", pk=lottery.pk)
            else:
                messages.success(request, done)
                return redirect("voting_office:lottery", pk=lottery.pk)
        lottery.refresh_from_db()
    winners = lottery.entrants.filter(rank__isnull=False).select_related("voter__resident").order_by("rank")
    return render(request, "voting/lottery.html", {
        "lottery": lottery, "winners": winners, "entrants": lottery.entrants.count(),
        "commit_form": commit_form, "value_form": value_form,
        "first_entered_by_me": lottery.public_value_first_by_id == request.user.pk,
        "unnotified": winners.filter(notified_at__isnull=True).count() if lottery.drawn_at else 0},
        status=status)


def _lottery_act(request, lottery, act, data):
    if act == "commit":
        services.commit_lottery(lottery, actor=request.user, public_source=data["public_source"],
                                public_date=data["public_date"])
    elif act == "value":
        if services.enter_public_value(lottery, actor=request.user, value=data["value"]):
            return "两名成员录入一致，公开数值已确认，可以开奖"
    elif act == "draw":
        services.draw_lottery(lottery, actor=request.user)
        lottery.refresh_from_db()
        unsent = lottery.entrants.filter(rank__isnull=False, notified_at__isnull=True).count()
        if unsent:
            return f"已开奖；{unsent} 名中奖者的短信未能发出，请稍后重发"
    elif act == "notify":
        _, failed = services.notify_winners(lottery, actor=request.user)
        if failed:
            raise Conflict(f"短信服务不可用，{failed} 名中奖者的短信仍未发出，请稍后重试")
    else:
        entrant = get_in_scope(lottery.entrants.all(), data["entrant"])
        services.record_delivery(entrant, actor=request.user, note=data["note"])
    return LOTTERY_DONE[act]
