from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wenming.awards.models import Showcase
from wenming.campaigns.services import current_campaign
from wenming.core.access import get_in_scope, parse_pk, role_required
from wenming.core.errors import Conflict
from wenming.core.excel import workbook_response
from wenming.core.forms import Form
from wenming.core.models import Delivery
from wenming.core.pages import REFUSALS, form_errors, refusal_message, refusal_on_form
from wenming.core.roles import Role
from wenming.voting import review, services
from wenming.voting.models import FraudDecision, Lottery


class FraudDecisionForm(Form):
    candidate = forms.IntegerField(min_value=1)
    network = forms.CharField(max_length=60)
    action = forms.ChoiceField(choices=FraudDecision.Action.choices)
    reason = forms.CharField(max_length=300, error_messages={"required": "请填写核查结论和原因"})


class LotteryActionForm(Form):
    act = forms.ChoiceField(choices=[("commit", "公布名单"), ("value", "录入公开数值"), ("draw", "开奖"),
                                     ("deliver", "登记发放"), ("notify", "重发中奖短信")])
    entrant = forms.IntegerField(min_value=1, required=False)
    note = forms.CharField(max_length=200, required=False)


class LotteryCommitForm(Form):
    public_source = forms.CharField(
        label="公开数值来源", max_length=200, error_messages={"required": "请写明公开数值的来源"},
        help_text="锁定名单时尚无人知道的公开数值，例如“中国福利彩票双色球 2019年12月10日 第2019xxx期开奖号码”",
        widget=forms.TextInput(attrs={"placeholder": "中国福利彩票双色球 某日 某期开奖号码"}))
    public_date = forms.DateField(label="公开数值产生日期", error_messages={
        "required": "请选择公开数值产生的日期", "invalid": "请按 2019-12-10 的格式填写日期"},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="须在今天之后；当天及以后由两名成员分别录入")


class PublicValueForm(Form):
    value = forms.CharField(label="公开数值", max_length=100, error_messages={"required": "请录入公开数值"},
                            help_text="照公开来源逐字录入（空格多少不影响）；另一名成员须独立录入一致",
                            widget=forms.TextInput(attrs={"autocomplete": "off"}))


class LotteryForm(Form):
    name = forms.CharField(label="名称", max_length=100, initial="投票居民抽奖")
    prize = forms.CharField(label="奖品", max_length=100, initial="话费 20 元")
    winners_count = forms.IntegerField(label="中奖人数", min_value=1, max_value=100000)


CLUSTERS_PER_PAGE = 50


class FraudFilterForm(Form):
    """The review page's filters, as GET parameters."""

    signal = forms.ChoiceField(label="信号", required=False, choices=[("", "全部信号"), *review.SIGNALS.items()])
    candidate = forms.TypedChoiceField(label="候选", required=False, coerce=int, empty_value=None)
    network = forms.CharField(label="网段", required=False, max_length=60,
                              widget=forms.TextInput(attrs={"placeholder": "如 100.64.1"}))
    day = forms.DateField(label="日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                          error_messages={"invalid": "请输入有效日期"})

    def __init__(self, data, candidates):
        super().__init__(data)
        self.fields["candidate"].choices = [("", "全部候选"), *candidates]

    def filters(self):
        """The valid filters (an invalid one is shown at its field and left out)."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        return review.Filters(signal=data.get("signal") or "", candidate_id=data.get("candidate"),
                              network=data.get("network") or "", day=data.get("day"))


class ClusterDecisionForm(Form):
    scope = forms.ChoiceField(label="范围", choices=[("selected", "所选集群"), ("all", "当前筛选的全部集群")],
                              initial="selected", required=False)
    clusters = forms.MultipleChoiceField(label="集群", required=False)
    action = forms.ChoiceField(label="处理", choices=FraudDecision.Action.choices, widget=forms.RadioSelect,
                               error_messages={"required": "请选择放行或作废", "invalid_choice": "请选择放行或作废"})
    reason = forms.CharField(label="核查结论与原因", max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "请填写核查结论和原因"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clusters"].valid_value = lambda value: self._key(value) is not None

    @staticmethod
    def _key(value):
        try:
            return review.ClusterKey.parse(value)
        except ValueError:
            return None

    def clean(self):
        data = super().clean()
        if data.get("scope") != "all" and "clusters" not in self.errors and not data.get("clusters"):
            self.add_error("clusters", "请至少选择一个集群")
        return data

    def cluster_keys(self, campaign, filters):
        """The chosen clusters' keys: the ticked ones, or every cluster matching the filters."""
        if self.cleaned_data.get("scope") == "all":
            return [review.ClusterKey(r["signal"], r["candidate_id"], r["network"], r["day"])
                    for r in review.clusters(campaign, filters)]
        return [self._key(value) for value in self.cleaned_data["clusters"]]


class ApprovalForm(Form):
    decisions = forms.TypedMultipleChoiceField(label="待批准的决定", coerce=int, error_messages={
        "required": "请至少选择一项待批准的决定", "invalid_choice": "所选决定已执行，请刷新后再试"})
    note = forms.CharField(label="批准意见", max_length=200, error_messages={"required": "请填写批准意见"})

    def __init__(self, *args, pending=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decisions"].choices = [(d.pk, d.pk) for d in pending]


def _candidate_choices(campaign):
    return list(Showcase.objects.filter(application__campaign=campaign).order_by("title").values_list("pk", "title"))


def _pending(campaign):
    return (FraudDecision.objects.filter(state=FraudDecision.State.PENDING,
                                         candidate__application__campaign=campaign)
            .select_related("candidate", "requested_by").order_by("created_at"))


def _review_page(request, campaign, *, decision_form=None, approval_form=None, status=200):
    counts = review.status_counts(campaign)
    filter_form = FraudFilterForm(request.GET, _candidate_choices(campaign))
    filters = filter_form.filters()
    number = request.GET.get("page", "1")
    found, total, number = review.cluster_page(campaign, filters, page=min(int(number), 10**6) if number.isdigit() else 1,
                                               per_page=CLUSTERS_PER_PAGE)
    page = Paginator(range(total), CLUSTERS_PER_PAGE).get_page(number)  # the pager's figures only
    rows = review.cluster_rows(found)
    query = request.GET.copy()
    query.pop("page", None)
    selected = request.GET.get("candidate")
    candidate = get_in_scope(Showcase.objects.filter(application__campaign=campaign), selected) if selected else None
    chart = review.chart_bars(review.cluster_series(campaign, filters))
    pending = list(_pending(campaign))
    return render(request, "voting/fraud.html", {
        "counts": sorted(counts.items(), key=lambda kv: -kv[1]["counted"]),
        "filter_form": filter_form, "filters": filters, "page": page, "rows": rows, "query": query.urlencode(),
        "quarantined": sum(c["quarantined"] for c in counts.values()),
        "chart": chart, "candidate": candidate, "signal_label": review.SIGNALS.get(filters.signal, ""),
        "decision_form": decision_form or ClusterDecisionForm(),
        "checked": set(decision_form.data.getlist("clusters")) if decision_form is not None else set(),
        "pending": pending, "approval_form": approval_form or ApprovalForm(pending=pending),
        "approvable": [d for d in pending if d.requested_by_id != request.user.pk],
        "decisions": FraudDecision.objects.filter(candidate__application__campaign=campaign).select_related(
            "candidate", "requested_by", "approved_by")[:30],
    }, status=status)


def _back(request):
    query = request.GET.urlencode()
    return reverse("voting_office:fraud") + (f"?{query}" if query else "")


@require_GET
@role_required(Role.OFFICE)
def fraud_overview(request):
    return _review_page(request, current_campaign(or_404=True))


@require_POST
@role_required(Role.OFFICE)
def fraud_clusters(request):
    """Release or invalidate the selected clusters with one reason (filters kept in the query)."""
    campaign = current_campaign(or_404=True)
    form = ClusterDecisionForm(request.POST)
    if form.is_valid():
        filters = FraudFilterForm(request.GET, _candidate_choices(campaign)).filters()
        keys = form.cluster_keys(campaign, filters)
        ours = set(Showcase.objects.filter(application__campaign=campaign, pk__in={k.candidate_id for k in keys})
                   .values_list("pk", flat=True))
        if any(key.candidate_id not in ours for key in keys):  # another campaign's candidate: not found
            raise Http404("候选不存在")
        try:
            decisions = review.decide_clusters(campaign, keys=keys, action=form.cleaned_data["action"],
                                               reason=form.cleaned_data["reason"], actor=request.user)
        except REFUSALS as exc:
            refusal_on_form(form, exc, "clusters")  # the review page answers 400 either way
        else:
            votes = sum(len(d.vote_ids) for d in decisions)
            if decisions[0].state == FraudDecision.State.PENDING:
                messages.success(request, f"已提交作废 {len(decisions)} 个集群共 {votes} 票，待另一名办公室成员批准")
            else:
                done = "放行" if decisions[0].action == FraudDecision.Action.RELEASE else "作废"
                messages.success(request, f"已{done} {len(decisions)} 个集群共 {votes} 票")
            return redirect(_back(request))
    return _review_page(request, campaign, decision_form=form, status=400)


@require_POST
@role_required(Role.OFFICE)
def fraud_approve_many(request):
    campaign = current_campaign(or_404=True)
    posted = [parse_pk(value) for value in request.POST.getlist("decisions")]
    known = set(FraudDecision.objects.filter(candidate__application__campaign=campaign, pk__in=posted)
                .values_list("pk", flat=True))
    if set(posted) - known:  # another campaign's decision, or none at all: not found
        raise Http404("记录不存在")
    pending = list(_pending(campaign))
    form = ApprovalForm(request.POST, pending=pending)
    if form.is_valid():
        chosen = [d for d in pending if d.pk in set(form.cleaned_data["decisions"])]
        try:
            review.approve_many(chosen, actor=request.user, note=form.cleaned_data["note"])
        except REFUSALS as exc:
            refusal_on_form(form, exc, "decisions", forbidden_on_form=True)  # the review page answers 400
        else:
            votes = sum(len(d.vote_ids) for d in chosen)
            messages.success(request, f"已批准并执行 {len(chosen)} 项决定共 {votes} 票")
            return redirect(_back(request))
    return _review_page(request, campaign, approval_form=form, status=400)


@require_GET
@role_required(Role.OFFICE)
def fraud_export(request):
    """The clusters matching the page's filters as an Excel file (no identities: networks only)."""
    campaign = current_campaign(or_404=True)
    filters = FraudFilterForm(request.GET, _candidate_choices(campaign)).filters()
    return workbook_response("投票核查可疑集群.xlsx", [("可疑集群", review.EXPORT_HEADERS,
                                                   review.export_rows(campaign, filters))],
                             campaign=campaign, user=request.user)


@require_POST
@role_required(Role.OFFICE)
def fraud_decide(request):
    campaign = current_campaign(or_404=True)
    form = FraudDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择放行或作废，并填写核查结论和原因")
        return redirect("voting_office:fraud")
    data = form.cleaned_data
    candidate = get_in_scope(Showcase.objects.filter(application__campaign=campaign), data["candidate"])
    try:
        decision = review.decide(campaign, candidate=candidate, network=data["network"], action=data["action"],
                                 reason=data["reason"], actor=request.user)
    except REFUSALS as exc:
        refusal_message(request, exc)
        return redirect("voting_office:fraud")
    messages.success(request, "已提交，待另一名成员批准" if decision.state == "pending" else "已执行")
    return redirect("voting_office:fraud")


@require_POST
@role_required(Role.OFFICE)
def fraud_approve(request, pk):
    decision = get_in_scope(FraudDecision.objects.all(), pk)
    try:
        review.approve(decision, actor=request.user)
    except REFUSALS as exc:
        refusal_message(request, exc)
        return redirect("voting_office:fraud")
    messages.success(request, "已批准并执行")
    return redirect("voting_office:fraud")


@require_http_methods(["GET", "POST"])
@role_required(Role.OFFICE)
def lotteries(request):
    campaign = current_campaign(or_404=True)
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
                "draw": "已开奖，中奖短信已交由后台发送", "deliver": "已记录发放", "notify": "已重新发送未发出的中奖短信"}


@require_http_methods(["GET", "POST"])
@role_required(Role.OFFICE)
def lottery_detail(request, pk):
    campaign = current_campaign(or_404=True)
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
    winners = list(lottery.entrants.filter(rank__isnull=False).select_related("voter__resident").order_by("rank"))
    sms = services.winner_sms(lottery, winners)
    for winner in winners:
        winner.sms = sms[winner.pk]
    return render(request, "voting/lottery.html", {
        "lottery": lottery, "winners": winners, "entrants": lottery.entrants.count(),
        "commit_form": commit_form, "value_form": value_form,
        "first_entered_by_me": lottery.public_value_first_by_id == request.user.pk,
        "unsent": sum(1 for d in sms.values() if d is not None and d.state == Delivery.State.FAILED)},
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
    elif act == "notify":
        if not lottery.drawn_at:
            raise Conflict("尚未开奖")
        queued, again = services.notify_winners(lottery, actor=request.user)
        if not (queued or again):
            raise Conflict("没有未发出的中奖短信")
    else:
        entrant = get_in_scope(lottery.entrants.all(), data["entrant"])
        services.record_delivery(entrant, actor=request.user, note=data["note"])
    return LOTTERY_DONE[act]
