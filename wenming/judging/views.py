"""Judging pages: the expert's list and on-site scoring sheet (phone), and the office's
assignments, conflicts, progress, reminders and reopening."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wenming.awards.review_panels import panels_for
from wenming.campaigns.models import AwardCategory
from wenming.campaigns.services import current_campaign
from wenming.core import audit, kept_uploads
from wenming.core.access import get_in_scope, is_office, role_required
from wenming.core.pages import REFUSALS, act, form_errors, post_action, refusal_on_form
from wenming.core.roles import Role
from wenming.judging import services
from wenming.judging.forms import AssignForm, AutoAssignForm, ProfileForm, ReopenForm, SheetForm
from wenming.judging.models import Expert, Reopen, Sheet
from wenming.registry.models import Company


@require_GET
@role_required(Role.EXPERT, Role.OFFICE)
def home(request):
    if is_office(request.user):
        return redirect("judging:office")
    assignments = list(services.for_expert(request.user))
    return render(request, "judging/home.html", {
        "assignments": assignments, "done": sum(a.sheet.submitted_at is not None for a in assignments)})


@require_http_methods(["GET", "POST"])
@role_required(Role.EXPERT)
def sheet(request, pk):
    """The on-site sheet. A refused save writes nothing and comes back with every score,
    comment and photo as typed (photos kept by core.kept_uploads), each error at its item.
    "保存并提交" saves and submits in one transaction: a refused submit keeps the save back too."""
    campaign = current_campaign(or_404=True)
    assignment = get_in_scope(services.for_expert(request.user), pk)
    items = services.rubric(campaign, assignment.candidate.application.award.key)
    if request.method == "GET":
        return _sheet_page(request, campaign, assignment, items)
    form = SheetForm(request.POST, items=items)
    photos = kept_uploads.take_item_photos(request, [i["key"] for i in items], new_prefix="p_", kept_prefix="k_",
                                           max_bytes=campaign.upload_limit(), limit=3)
    status = 400
    if form.is_valid() and not any(p.errors for p in photos.values()):
        try:
            with transaction.atomic():
                saved = services.save_sheet(
                    assignment, request.user, scores=form.scores(), comments=form.comments(),
                    version=form.cleaned_data["version"],
                    photos=[(key, clean.content) for key, p in photos.items() for clean in p.files()])
                if form.cleaned_data["then"] == "submit":
                    saved = services.submit_sheet(assignment, request.user)
        except REFUSALS as exc:
            status = refusal_on_form(form, exc, name_of=lambda key: f"s_{key}")
        else:
            for p in photos.values():
                p.saved()
            if saved.submitted_at:
                messages.success(request, f"评分表已提交，总分 {saved.total}")
                return redirect("judging:home")
            messages.success(request, f"已保存（第 {saved.version} 版），已评 {len(saved.scores)}/{len(items)} 项")
            return redirect("judging:sheet", assignment.pk)
    for p in photos.values():
        p.keep()
    return _sheet_page(request, campaign, assignment, items, form=form, photos=photos, status=status)


def _sheet_page(request, campaign, assignment, items, *, form=None, photos=None, status=200):
    current = assignment.sheet
    stored = {}
    for photo in current.photos.all():
        stored.setdefault(photo.item, []).append(photo)
    rows = []
    for i in items:
        key = i["key"]
        if form is None:
            typed = {"score": current.scores.get(key, ""), "comment": current.comments.get(key, ""), "errors": [],
                     "kept": []}
        else:
            typed = {"score": form.data.get(f"s_{key}", ""), "comment": form.data.get(f"c_{key}", ""),
                     "errors": [*form.errors.get(f"s_{key}", []), *form.errors.get(f"c_{key}", []),
                                *photos[key].errors], "kept": photos[key].tokens}
        rows.append({**i, **typed, "photos": stored.get(key, [])})
    top = []
    if form is not None:
        top = [*form.non_field_errors(), *form.errors.get("version", []), *form.errors.get("then", [])]
        if form.errors.get("version"):
            top = ["页面已过期，请刷新后重试（下方保留了您填写的内容）"]
    return render(request, "judging/sheet.html", {
        "assignment": assignment, "sheet": current, "rows": rows, "top_errors": top,
        "bad_rows": [r for r in rows if r["errors"]], "version": form.data.get("version", current.version)
        if form is not None else current.version,
        "scored": sum(1 for r in rows if str(r["score"]).strip()),
        "places": services.spec(campaign).score_decimals,
        "panels": panels_for(assignment.candidate.application, request.user)}, status=status)


@require_POST
@role_required(Role.EXPERT)
def submit(request, pk):
    assignment = get_in_scope(services.for_expert(request.user), pk)
    return act(request, lambda: services.submit_sheet(assignment, request.user),
               lambda done: f"评分表已提交，总分 {done.total}", reverse("judging:sheet", args=[assignment.pk]),
               then=reverse("judging:home"))


@require_GET
@role_required(Role.OFFICE)
def office(request):
    campaign = current_campaign(or_404=True)
    experts = list(Expert.objects.select_related("user", "employer").prefetch_related("related_companies"))
    candidates = list(services.candidates(campaign).order_by("application__award", "pk"))
    conflicts = [(e, c, reason) for e in experts for c in candidates
                 if (reason := services.conflict(campaign, e, c))]
    return render(request, "judging/office.html", {
        "progress": services.progress(campaign), "experts": experts, "candidates": candidates,
        "conflicts": conflicts, "awards": AwardCategory.objects.filter(campaign=campaign),
        "submitted": Sheet.objects.filter(assignment__campaign=campaign, submitted_at__isnull=False)
        .select_related("assignment__expert__user", "assignment__candidate"),
        "reopens": Reopen.objects.filter(state=Reopen.State.PENDING).select_related("sheet__assignment__candidate",
                                                                                     "requested_by"),
        "companies": Company.objects.order_by("name"),
    })


@require_POST
@role_required(Role.OFFICE)
def assign(request):
    campaign = current_campaign(or_404=True)
    form = AssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择专家和候选")
        return redirect("judging:office")
    expert = get_in_scope(Expert.objects.all(), form.cleaned_data["expert"])
    candidate = get_in_scope(services.candidates(campaign), form.cleaned_data["candidate"])
    return post_action(request, form, reverse("judging:office"),
                       lambda _: services.assign(campaign, request.user, expert, candidate), "已分配")


@require_POST
@role_required(Role.OFFICE)
def auto_assign(request):
    campaign = current_campaign(or_404=True)
    form = AutoAssignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择奖项")
        return redirect("judging:office")
    award = get_in_scope(AwardCategory.objects.filter(campaign=campaign), form.cleaned_data["award"])
    made, short = services.auto_assign(campaign, request.user, award, list(Expert.objects.all()))
    messages.success(request, f"已自动分配 {made} 项评审任务" + (f"；{len(short)} 个候选专家不足：" + "、".join(
        f"{c.title}（{why}）" for c, why in short[:5]) if short else ""))
    return redirect("judging:office")


@require_POST
@role_required(Role.OFFICE)
def remind(request):
    campaign = current_campaign(or_404=True)
    messages.success(request, f"已提醒 {services.remind(campaign)} 名专家")
    return redirect("judging:office")


@require_POST
@role_required(Role.OFFICE)
def reopen(request, pk):
    campaign = current_campaign(or_404=True)
    target = get_in_scope(Sheet.objects.filter(assignment__campaign=campaign), pk)
    return post_action(request, ReopenForm(request.POST), reverse("judging:office"),
                       lambda data: services.request_reopen(target, request.user, data["reason"]),
                       "已申请重新开放，待另一名成员批准")


@require_POST
@role_required(Role.OFFICE)
def approve_reopen(request, pk):
    item = get_in_scope(Reopen.objects.all(), pk)
    return act(request, lambda: services.approve_reopen(item, request.user), "评分表已重新开放",
               reverse("judging:office"))


@require_POST
@role_required(Role.OFFICE)
def profile(request):
    form = ProfileForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("judging:office")
    data = form.cleaned_data
    expert = get_in_scope(Expert.objects.all(), data["expert"])
    before = audit.snapshot(expert, ["employer", "employer_name"])
    expert.employer = get_in_scope(Company.objects.all(), data["employer"]) if data["employer"] else None
    expert.employer_name = data["employer_name"]
    expert.save(update_fields=["employer", "employer_name"])
    expert.related_companies.set(Company.objects.filter(pk__in=data["related"]))
    audit.record("judging.expert.declared", actor=request.user, target=expert, before=before,
                 after={**audit.snapshot(expert, ["employer", "employer_name"]), "related": data["related"]})
    messages.success(request, f"已更新 {expert} 的任职与利害关系")
    return redirect("judging:office")
