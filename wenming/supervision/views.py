"""Supervision pages: thin; every change is a service call. Records outside the caller's
district or company are 404; a role that may not act gets 403; a skipped state 409."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wenming.campaigns.services import current_campaign
from wenming.core import kept_uploads
from wenming.core.access import get_in_scope, is_office, role_required
from wenming.core.excel import workbook_response
from wenming.core.pages import REFUSALS, post_action, refusal_on_form, refused
from wenming.core.pdf import pdf_available
from wenming.core.roles import Role
from wenming.core.uploads import clean_image
from wenming.registry.models import Community, District
from wenming.supervision import exports, printing, services
from wenming.supervision.forms import (
    ChecklistForm,
    ConcludeForm,
    DecideRedrawForm,
    EvidenceForm,
    FundForm,
    InterviewForm,
    OrderActionForm,
    OrderFilterForm,
    RedrawForm,
    ReinspectForm,
    SampleForm,
    ScheduleForm,
    StartInspectionForm,
)
from wenming.supervision.models import (
    OPEN_STATES,
    Inspection,
    OrderState,
    RepeatProblem,
    Sample,
    SampleRedraw,
)

STAFF = (Role.OFFICE, Role.DISTRICT, Role.COMPANY)
SUPERVISORS = (Role.OFFICE, Role.DISTRICT)


def _photos(campaign, files):
    return [clean_image(f, max_bytes=campaign.upload_limit()).content for f in files]


def _inspections(user):
    """What the user may see; a company never sees an unannounced inspection before submission."""
    return services.visible_inspections(user, Inspection.objects.select_related("community", "district", "inspector"))


@require_GET
@role_required(*STAFF)
def home(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign(or_404=True)
    today = timezone.localdate(timezone.now(), campaign.tz)
    orders = services.visible_orders(request.user).filter(state__in=OPEN_STATES)
    return render(request, "supervision/home.html", {
        "stats": services.dashboard(request.user, campaign), "orders": orders[:20], "today": today,
        "items": services.checklist(campaign),
        "repeats": services.scoped(RepeatProblem.objects.filter(closed_at__isnull=True)
                                   .select_related("community", "company"), request.user)[:20],
        "inspections": _inspections(request.user)[:10],
        "self_due": _self_due(request.user, campaign, today),
    })


def _self_due(user, campaign, today):
    """A company's communities whose self-inspection is due (none in the set number of days)."""
    if user.role != Role.COMPANY:
        return []
    every = services.spec(campaign).self_inspection_every_days
    since = timezone.now() - datetime.timedelta(days=every)
    done = set(Inspection.objects.filter(company_id=user.company_id, kind=Inspection.Kind.SELF,
                                         started_at__gte=since).values_list("community_id", flat=True))
    return [c for c in Community.objects.filter(company_id=user.company_id) if c.pk not in done]


@require_http_methods(["GET", "POST"])
@role_required(*STAFF)
def start(request: HttpRequest) -> HttpResponse:
    """Regular inspections (and a company's self-inspection) of any community in scope; an
    unannounced one only of a community still to inspect in a current sample."""
    campaign = current_campaign(or_404=True)
    communities = Community.objects.visible_to(request.user).select_related("district")
    sampled = _sampled(request.user)
    form = StartInspectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        community = get_in_scope(communities, data["community"])
        sample = None
        if data.get("sample"):
            sample = services.sample_for(request.user, data["sample"])
        elif data["kind"] == Inspection.Kind.UNANNOUNCED:
            sample = next((s for s, c in sampled if c.pk == community.pk), None)
        try:
            inspection = services.start_inspection(campaign, request.user, community, data["kind"], sample=sample)
        except REFUSALS as exc:
            return refused(request, exc, reverse("supervision:start"))
        messages.success(request, f"已开始检查：{community.name}")
        return redirect("supervision:inspection", inspection.pk)
    kinds = [("self", "企业自查")] if request.user.role == Role.COMPANY else [("regular", "定期督查")]
    return render(request, "supervision/start.html", {"form": form, "communities": communities, "kinds": kinds,
                                                      "sampled": sampled},
                  status=400 if form.errors else 200)


def _sampled(user):
    """[(sample, community)] still to inspect from the current samples in the user's scope."""
    if user.role == Role.COMPANY:
        return []
    pairs = []
    for sample in services.scoped(Sample.objects.filter(superseded_by__isnull=True).select_related("district"),
                                  user)[:30]:
        todo = services.remaining(sample)
        names = {c.pk: c for c in Community.objects.filter(pk__in=todo).select_related("district")}
        pairs += [(sample, names[pk]) for pk in todo if pk in names]
    return pairs


@require_GET
@role_required(*STAFF)
def inspection_list(request: HttpRequest) -> HttpResponse:
    return render(request, "supervision/inspections.html", {"inspections": _inspections(request.user)[:200]})


@require_http_methods(["GET", "POST"])
@role_required(*STAFF)
def inspection(request: HttpRequest, pk: str) -> HttpResponse:
    """The checklist, one form saved at once ("保存") or saved and submitted ("提交检查").
    A refusal writes nothing and shows every tick, value, note and photo as entered, each error
    at its item; a submit with items unanswered names them and needs "仍要提交"."""
    campaign = current_campaign(or_404=True)
    record = services.inspection_for(request.user, pk)
    items = list(services.checklist(campaign).values())
    if request.method == "GET":
        return _inspection_page(request, campaign, record, items)
    form = ChecklistForm(request.POST, items=items)
    photos = kept_uploads.take_item_photos(request, [i["key"] for i in items], new_prefix="photos_",
                                           kept_prefix="kept_", max_bytes=campaign.upload_limit(), limit=9)
    status, item_errors, missing = 400, {}, []
    if form.is_valid() and not any(p.errors for p in photos.values()):
        entries = {key: {**entry, "photos": [c.content for c in photos[key].files()]}
                   for key, entry in form.entries().items()}
        submitting = form.cleaned_data["then"] == "submit"
        try:
            with transaction.atomic():
                if entries:
                    services.save_findings(campaign, record, request.user, entries)
                if submitting:
                    services.submit_inspection(campaign, record, request.user,
                                               confirm_incomplete=form.cleaned_data["confirm_incomplete"])
        except REFUSALS as exc:
            if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
                item_errors = exc.message_dict  # shown at each checklist item, not on the form
            else:
                status = refusal_on_form(form, exc)
                missing = getattr(exc, "missing", missing)  # services.Incomplete names them
        else:
            for p in photos.values():
                p.saved()
            if submitting:
                failed = record.findings.filter(passed=False).count()
                messages.success(request, f"检查已提交，{failed} 项不合格" + (
                    "，已下达整改通知" if failed and record.kind != "self" else ""))
                return redirect("supervision:report", record.pk)
            done = record.findings.count()
            typed = [key for key in entries if not services.is_read(key)]  # read items are not the inspector's
            messages.success(request, f"已保存 {len(typed)} 项，共已填 {done}/{len(items)} 项" if typed
                             else "没有新填写的项目")
            return redirect("supervision:inspection", record.pk)
    for p in photos.values():
        p.keep()
    return _inspection_page(request, campaign, record, items, form=form, photos=photos, item_errors=item_errors,
                            missing=missing, status=status)


def _inspection_page(request, campaign, record, items, *, form=None, photos=None, item_errors=None, missing=(),
                     status=200):
    findings = {f.item: f for f in record.findings.prefetch_related("photos")}
    rows = {}
    for i in items:
        key, finding = i["key"], findings.get(i["key"])
        if form is None:
            verdict = "" if finding is None or i.get("measure") else ("pass" if finding.passed else "fail")
            typed = {"verdict": verdict, "value": "" if finding is None or finding.value is None else finding.value,
                     "severity": finding.severity if finding else "", "note": finding.note if finding else "",
                     "location": finding.location if finding else "", "errors": [], "kept": []}
        else:
            data = form.data
            typed = {"verdict": data.get(f"verdict_{key}", ""), "value": data.get(f"value_{key}", ""),
                     "severity": data.get(f"severity_{key}", ""), "note": data.get(f"note_{key}", ""),
                     "location": data.get(f"location_{key}", ""), "kept": photos[key].tokens,
                     "errors": [*form.item_errors(key), *(item_errors or {}).get(key, []), *photos[key].errors]}
        typed["reading"] = None
        if services.is_read(key):  # read, not typed (SV0: the survey's coverage)
            typed["reading"] = typed["value"] = services.reading(campaign, key, record.community)
        typed["open"] = typed["verdict"] == "fail" or bool(typed["errors"] or typed["kept"] or typed["note"])
        rows[key] = {**i, **typed, "finding": finding}
    groups = [{"name": action.name, "items": [rows[i.key] for i in action.items]}
              for action in campaign.typed_rules.checklists]
    return render(request, "supervision/inspection.html", {
        "inspection": record, "groups": groups, "pdf": pdf_available(),
        "editable": record.state == "draft" and record.inspector_id == request.user.pk,
        "done": len(findings), "total": len(items),
        "bad_rows": [r for r in rows.values() if r["errors"]],
        "top_errors": list(form.non_field_errors()) if form is not None else [],
        "missing": [rows[key] for key, _ in missing]}, status=status)


@require_GET
@role_required(*STAFF)
def report(request: HttpRequest, pk: str) -> HttpResponse:
    campaign = current_campaign(or_404=True)
    record = services.inspection_for(request.user, pk)
    return render(request, "supervision/report.html", {**printing.report_context(record, campaign),
                                                       "pdf": pdf_available()})


def _pdf(request, render_pdf, name, back):
    """A printed paper inline, never cached (it names a company and its problems)."""
    try:
        content = render_pdf()
    except printing.PrintUnavailable as exc:
        return render(request, "core/refused.html", {"message": str(exc), "back": back}, status=503)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, name)
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
@role_required(*STAFF)
def report_pdf(request: HttpRequest, pk: str) -> HttpResponse:
    """The inspection report with its photos and signature lines: whoever may see the inspection."""
    campaign = current_campaign(or_404=True)
    record = services.inspection_for(request.user, pk)
    return _pdf(request, lambda: printing.inspection_report_pdf(record, campaign),
                f"检查报告-{record.community.name}-{record.pk}.pdf", reverse("supervision:report", args=[record.pk]))


@require_GET
@role_required(*STAFF)
def interview_notice(request: HttpRequest, pk: str) -> HttpResponse:
    """约谈通知书: the office, the problem's district bureau and the company it is addressed to."""
    campaign = current_campaign(or_404=True)
    record = services.interview_for(request.user, pk)
    return _pdf(request, lambda: printing.interview_notice_pdf(record, campaign),
                f"约谈通知书-{record.problem.community.name}-{record.pk}.pdf",
                reverse("supervision:repeats") + f"#problem-{record.problem_id}")


def _districts(user):
    return District.objects.all() if is_office(user) else District.objects.filter(pk=user.district_id)


@require_http_methods(["GET", "POST"])
@role_required(*SUPERVISORS)
def samples(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign(or_404=True)
    districts = _districts(request.user)
    if request.method == "POST":
        form = SampleForm(request.POST)
        district_id = form.cleaned_data.get("district") if form.is_valid() else None
        district = get_in_scope(districts, district_id or request.user.district_id)
        try:
            sample = services.draw_sample(campaign, district, request.user)
        except REFUSALS as exc:
            return refused(request, exc, reverse("supervision:samples"))
        messages.success(request, f"已抽取 {len(sample.community_ids)} 个小区，随机种子 {sample.seed}")
        return redirect("supervision:samples")
    return _samples_page(request)


def _samples_page(request, *, redraw_form=None, redraw_for=None, status=200):
    rows = []
    for sample in services.scoped(Sample.objects.select_related("district", "drawn_by", "superseded_by"),
                                  request.user)[:30]:
        names = dict(Community.objects.filter(pk__in=sample.community_ids).values_list("pk", "name"))
        todo = services.remaining(sample)
        redraws = list(sample.redraws.select_related("requested_by", "decided_by"))
        pending = next((r for r in redraws if r.state == SampleRedraw.State.PENDING), None)
        rows.append({"sample": sample, "communities": [(pk, names.get(pk, pk), pk not in todo)
                                                       for pk in sample.community_ids],
                     "verified": services.verify_sample(sample), "remaining": len(todo), "redraws": redraws,
                     "pending": pending,
                     "can_decide": pending is not None and request.user.role == Role.DISTRICT
                     and request.user.district_id == sample.district_id and request.user.pk != pending.requested_by_id,
                     "can_request": sample.current and todo and pending is None,
                     "form": redraw_form if redraw_for == sample.pk else RedrawForm(prefix=f"r{sample.pk}")})
    return render(request, "supervision/samples.html", {"rows": rows, "districts": _districts(request.user)},
                  status=status)


@require_POST
@role_required(*SUPERVISORS)
def redraw(request: HttpRequest, pk: str) -> HttpResponse:
    """Ask for a redraw with a reason; a second officer of the district decides."""
    campaign = current_campaign(or_404=True)
    sample = services.sample_for(request.user, pk)
    form = RedrawForm(request.POST, prefix=f"r{sample.pk}")
    if form.is_valid():
        try:
            services.request_redraw(campaign, sample, request.user, reason=form.cleaned_data["reason"])
        except REFUSALS as exc:
            if isinstance(exc, ValidationError):
                refusal_on_form(form, exc, "reason")
            else:
                return refused(request, exc, reverse("supervision:samples"))
        else:
            messages.success(request, "重新抽样申请已提交，待本区另一名工作人员审批")
            return redirect("supervision:samples")
    return _samples_page(request, redraw_form=form, redraw_for=sample.pk, status=400)


@require_POST
@role_required(Role.DISTRICT)
def decide_redraw(request: HttpRequest, pk: str) -> HttpResponse:
    campaign = current_campaign(or_404=True)
    record = services.redraw_for(request.user, pk)
    form = DecideRedrawForm(request.POST)
    done = "已同意重新抽样，新的抽样已生成" if form.data.get("decision") == "approve" else "已不同意重新抽样"
    return post_action(request, form, reverse("supervision:samples"),
                       lambda data: services.decide_redraw(campaign, record, request.user,
                                                           approve=data["decision"] == "approve"), done)


@require_http_methods(["GET", "POST"])
@role_required(*SUPERVISORS)
def schedule(request: HttpRequest) -> HttpResponse:
    """定期督查 per district: the interval, and each community's next due date (overdue first)."""
    campaign = current_campaign(or_404=True)
    districts = _districts(request.user)
    form = ScheduleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            district = get_in_scope(districts, form.cleaned_data["district"] or request.user.district_id)
            try:
                services.set_schedule(campaign, district, request.user, every_weeks=form.cleaned_data["every_weeks"])
            except REFUSALS as exc:
                status = refusal_on_form(form, exc, "every_weeks")
            else:
                messages.success(request, f"已设置{district.name}定期督查：每个小区每 {form.cleaned_data['every_weeks']} 周一次")
                return redirect(reverse("supervision:schedule") + f"?district={district.pk}")
        else:
            status = 400
    chosen = request.GET.get("district") or request.POST.get("district") or ""
    shown = [d for d in districts if not chosen or str(d.pk) == chosen] or list(districts)
    tables = []
    for district in shown:
        plan, rows = services.schedule_rows(campaign, district)
        tables.append({"district": district, "schedule": plan, "rows": rows,
                       "overdue": sum(r["status"] == "overdue" for r in rows),
                       "due": sum(r["status"] == "due" for r in rows),
                       "form": form if form.is_bound and str(form.data.get("district") or request.user.district_id)
                       == str(district.pk) else ScheduleForm(initial={"district": district.pk,
                                                                         "every_weeks": plan.every_weeks})})
    return render(request, "supervision/schedule.html", {"tables": tables, "districts": districts,
                                                         "chosen": chosen}, status=status)


@require_GET
@role_required(*STAFF)
def orders(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign(or_404=True)
    qs = services.visible_orders(request.user)
    filters = OrderFilterForm(request.GET)
    data = filters.cleaned_data if filters.is_valid() else {"state": "", "format": ""}
    state = data["state"]
    if state:
        qs = qs.filter(state=state)
    if data["format"] == "xlsx":
        return workbook_response("整改通知.xlsx", [exports.orders_table(qs, campaign)], campaign=campaign,
                                 user=request.user)
    return render(request, "supervision/orders.html", {"orders": qs[:300], "states": OrderState.choices,
                                                       "state": state, "items": services.checklist(campaign)})


@require_GET
@role_required(*STAFF)
def order(request: HttpRequest, pk: str) -> HttpResponse:
    campaign = current_campaign(or_404=True)
    record = services.order_for(request.user, pk)
    item = services.checklist(campaign).get(record.finding.item, {})
    user = request.user
    is_company = user.role == Role.COMPANY
    return render(request, "supervision/order.html", {
        "order": record, "item": item, "events": record.events.select_related("actor"),
        "evidence": record.evidence.prefetch_related("photos").select_related("author"),
        "finding_photos": record.finding.photos.all(),
        "can_start": is_company and record.state == OrderState.ISSUED,
        "can_edit": is_company and record.state in (OrderState.RECTIFYING, OrderState.OVERDUE),
        "can_review": not is_company and record.state == OrderState.EVIDENCE_SUBMITTED,
        "can_close": not is_company and record.state == OrderState.REINSPECTED,
        "can_fund": not is_company and record.finding.responsible == "fund" and record.state != OrderState.CLOSED,
        "evidence_form": EvidenceForm(), "fund_form": FundForm(initial={"fund_state": record.fund_state or "applied"}),
    })


@require_POST
@role_required(*STAFF)
def order_action(request: HttpRequest, pk: str) -> HttpResponse:
    record = services.order_for(request.user, pk)
    steps = {"start": (services.start_rectifying, "已确认收到，开始整改"),
             "submit": (services.submit_evidence, "整改材料已提交，等待复查"), "close": (services.close_order, "已销号")}
    form = OrderActionForm(request.POST)
    done = steps[form.cleaned_data["act"]][1] if form.is_valid() else ""
    return post_action(request, form, reverse("supervision:order", args=[record.pk]),
                       lambda data: steps[data["act"]][0](record, request.user), done, invalid="操作不正确")


@require_POST
@role_required(*STAFF)
def evidence(request: HttpRequest, pk: str) -> HttpResponse:
    campaign = current_campaign(or_404=True)
    record = services.order_for(request.user, pk)
    return post_action(
        request, EvidenceForm(request.POST, request.FILES), reverse("supervision:order", args=[record.pk]),
        lambda data: services.save_evidence(record, request.user, text=data["text"],
                                            photos=_photos(campaign, data["photos"])),
        lambda version: f"已保存第 {version.version} 版整改材料，确认无误后请提交")


@require_POST
@role_required(*SUPERVISORS)
def reinspect(request: HttpRequest, pk: str) -> HttpResponse:
    record = services.order_for(request.user, pk)
    return post_action(
        request, ReinspectForm(request.POST), reverse("supervision:order", args=[record.pk]),
        lambda data: services.reinspect(record, request.user, passed=data["result"] == "pass", note=data["note"]),
        "复查结论已记录", invalid="请选择复查结论")


@require_POST
@role_required(*SUPERVISORS)
def fund(request: HttpRequest, pk: str) -> HttpResponse:
    record = services.order_for(request.user, pk)
    return post_action(request, FundForm(request.POST), reverse("supervision:order", args=[record.pk]),
                       lambda data: services.set_fund_state(record, request.user, data["fund_state"]),
                       "已更新维修资金申请状态", invalid="维修资金申请状态不正确")


@require_GET
@role_required(*STAFF)
def repeats(request: HttpRequest) -> HttpResponse:
    problems = services.scoped(RepeatProblem.objects.select_related("community", "company", "first__inspection",
                                                                     "repeat__inspection")
                               .prefetch_related("interviews"), request.user)
    return render(request, "supervision/repeats.html", {
        "problems": problems[:200], "form": InterviewForm(), "conclude": ConcludeForm(), "pdf": pdf_available(),
        "items": services.checklist(current_campaign(or_404=True))})


@require_POST
@role_required(*SUPERVISORS)
def interview(request: HttpRequest, pk: str) -> HttpResponse:
    campaign = current_campaign(or_404=True)
    problem = services.repeat_problem_for(request.user, pk)

    def act(data):
        held_at = data["held_at"] if timezone.is_aware(data["held_at"]) else timezone.make_aware(data["held_at"],
                                                                                               campaign.tz)
        services.record_interview(campaign, problem, request.user, held_at=held_at, attendees=data["attendees"],
                                  requirements=data["requirements"], deadline=data["deadline"], place=data["place"])

    return post_action(request, InterviewForm(request.POST), reverse("supervision:repeats"), act, "约谈已记录")


@require_POST
@role_required(*SUPERVISORS)
def conclude(request: HttpRequest, pk: str) -> HttpResponse:
    campaign = current_campaign(or_404=True)
    record = services.interview_for(request.user, pk)
    return post_action(
        request, ConcludeForm(request.POST), reverse("supervision:repeats"),
        lambda data: services.conclude_interview(campaign, record, request.user,
                                                 rectified=data["result"] == "rectified", note=data["note"]),
        "约谈结论已记录", invalid="请选择约谈结论")
