"""Credit pages: the companies' grades, each file's history, manual records, objections, the
red/black list (computed, approved twice, published) and the bidding export."""

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wenming.campaigns.services import current_campaign
from wenming.core.access import get_in_scope, is_office, role_required
from wenming.core.excel import workbook_response
from wenming.core.pages import REFUSALS, act, post_action, refused
from wenming.core.roles import Role
from wenming.core.uploads import clean_image
from wenming.credit import exports, services
from wenming.credit.forms import AsOfForm, ComputeForm, DecideForm, ManualRecordForm, ObjectionForm
from wenming.credit.models import CreditList, CreditRecord, Objection
from wenming.registry.models import Company

STAFF = (Role.OFFICE, Role.DISTRICT, Role.COMPANY)


def _companies(user):
    return Company.objects.visible_to(user).select_related("district").order_by("name")


def _as_of(request, campaign):
    form = AsOfForm(request.GET)
    day = form.cleaned_data.get("at") if form.is_valid() else None
    if day is None:
        return timezone.now(), None
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=campaign.tz), day


@require_GET
@role_required(*STAFF)
def companies(request):
    campaign = current_campaign(or_404=True)
    at, day = _as_of(request, campaign)
    items = list(_companies(request.user))
    rows = services.bidding_rows(campaign, items, at)
    return render(request, "credit/companies.html", {"rows": rows, "day": day, "base": services.rules(campaign).base,
                                                     "office": is_office(request.user)})


@require_GET
@role_required(*STAFF)
def company(request, pk):
    campaign = current_campaign(or_404=True)
    record = get_in_scope(_companies(request.user), pk)
    standing = services.standing(campaign, record)
    return render(request, "credit/company.html", {
        "company": record, "standing": standing, "history": services.history(record),
        "restriction": services.restriction(record), "office": is_office(request.user),
        "own": request.user.role == Role.COMPANY and request.user.company_id == record.pk,
        "manual_form": ManualRecordForm(rules=services.rules(campaign)), "objection_form": ObjectionForm(),
        "decide_form": DecideForm(), "pending": Objection.objects.filter(record__company=record,
                                                                         state=Objection.State.PENDING),
    })


@require_POST
@role_required(Role.OFFICE)
def add_record(request, pk):
    campaign = current_campaign(or_404=True)
    record = get_in_scope(_companies(request.user), pk)
    return post_action(
        request, ManualRecordForm(request.POST, rules=services.rules(campaign)), reverse("credit:company", args=[record.pk]),
        lambda data: services.record_manual(campaign, record, code=data["code"], veto_name=data["veto"],
                                           evidence=data["evidence"], actor=request.user), "信用记录已录入")


@require_POST
@role_required(Role.COMPANY)
def object_to(request, pk):
    campaign = current_campaign(or_404=True)
    record = get_in_scope(CreditRecord.objects.filter(company_id=request.user.company_id), pk)

    def act(data):
        evidence = None
        if data["evidence"]:
            evidence = clean_image(data["evidence"], max_bytes=campaign.upload_limit(), label="证明材料").content
        services.file_objection(campaign, record, request.user, reason=data["reason"], evidence=evidence)

    return post_action(request, ObjectionForm(request.POST, request.FILES),
                       reverse("credit:company", args=[record.company_id]), act, "异议已提交，处理期间该记录不计分")


@require_POST
@role_required(Role.OFFICE)
def decide(request, pk):
    objection = get_in_scope(Objection.objects.select_related("record"), pk)
    return post_action(
        request, DecideForm(request.POST), reverse("credit:company", args=[objection.record.company_id]),
        lambda data: services.decide_objection(objection, request.user, upheld=data["result"] == "upheld",
                                               decision=data["decision"]),
        "异议已处理", invalid="请选择处理结果并填写处理意见")


@require_http_methods(["GET", "POST"])
@role_required(Role.OFFICE)
def manage(request):
    campaign = current_campaign(or_404=True)
    form = ComputeForm(request.POST or None, initial={"period": timezone.localdate().strftime("%Y-%m")})
    if request.method == "POST" and form.is_valid():
        try:
            services.compute_list(campaign, form.cleaned_data["period"], request.user,
                                  list(Company.objects.order_by("name")))
        except REFUSALS as exc:
            return refused(request, exc, reverse("credit:manage"))
        messages.success(request, "已生成榜单草稿，须两名评选工作办公室成员审批后发布")
        return redirect("credit:manage")
    lists = CreditList.objects.filter(campaign=campaign).prefetch_related("entries__company", "approvals__approver")
    return render(request, "credit/manage.html", {"form": form, "lists": lists[:12],
                                                  "approvers": services.rules(campaign).lists.approvers},
                  status=400 if form.errors else 200)


@require_POST
@role_required(Role.OFFICE)
def approve(request, pk):
    campaign = current_campaign(or_404=True)
    credit_list = get_in_scope(CreditList.objects.filter(campaign=campaign), pk)
    return act(request, lambda: services.approve_list(campaign, credit_list, request.user),
               lambda done: "榜单已发布" if done.state == CreditList.State.PUBLISHED else "已审批，待另一名成员审批",
               reverse("credit:manage"))


@require_GET
def lists(request):
    """Public: the latest published red/black list (no login)."""
    campaign = current_campaign(or_404=True)
    latest = services.published_lists().filter(campaign=campaign).prefetch_related("entries__company").first()
    return render(request, "credit/lists.html", {"list": latest})


@require_GET
@role_required(Role.OFFICE)
def bidding(request):
    """招投标 export: grade, list status, restriction end and bonus points per company."""
    campaign = current_campaign(or_404=True)
    return workbook_response("招投标信用名单.xlsx", [exports.bidding_table(campaign, Company.objects.order_by("name"))],
                             campaign=campaign, user=request.user)
