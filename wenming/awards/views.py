"""Back-office pages of applications: list, start, the application page with every action
of its current stage, files, printable forms, exports; public recommendations; showcase
preparation. Self-nominees (no account) reach their own application through a session
set after phone verification (see public.py)."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wenming.awards import eligibility, exports, printing, review_panels, services
from wenming.awards.forms import (
    AttachmentForm,
    DismissForm,
    ListFilterForm,
    OpinionForm,
    ShowcaseForm,
    StartForm,
    application_form_class,
)
from wenming.awards.models import STAGE_STATUS, Application, Attachment, Showcase, Status
from wenming.campaigns.services import current_campaign
from wenming.core import files, pages
from wenming.core.access import get_in_scope, is_office, role_required
from wenming.core.excel import workbook_response
from wenming.core.pages import REFUSALS, form_errors, refusal, refusal_message
from wenming.core.roles import Role

REVIEW_ROLES = (Role.OFFICE, Role.DISTRICT, Role.COMPANY)
SELF_SESSION_KEY = "awards_self_staff_id"
STATUS_FOR_STAGE = {v: k for k, v in STAGE_STATUS.items()}
APPLICANT_KINDS = {
    "community": [Attachment.Kind.GATE_PHOTO, Attachment.Kind.ENVIRONMENT_PHOTO, Attachment.Kind.VIDEO],
    "staff": [Attachment.Kind.PORTRAIT],
}


def self_staff_id(request: HttpRequest) -> int | None:
    return request.session.get(SELF_SESSION_KEY)


def application_for(request: HttpRequest, pk: str) -> Application:
    """Staff see applications in their scope (404 outside it, 403 for other roles); a
    self-nominee sees only their own."""
    user = request.user
    if user.is_authenticated:
        if not (user.is_superuser or user.role in REVIEW_ROLES):
            raise PermissionDenied("您的角色无权查看申报")
        queryset = Application.objects.visible_to(user)
    elif self_staff_id(request):
        queryset = Application.objects.filter(channel="self_nomination", staff_id=self_staff_id(request))
    else:
        raise _LoginRequired
    return get_in_scope(queryset.select_related("award", "campaign", "community", "staff", "company", "district"), pk)


class _LoginRequired(Exception):
    pass


def _actor(request):
    return request.user if request.user.is_authenticated else None


def is_applicant(request: HttpRequest, application: Application) -> bool:
    try:
        services.ensure_applicant(application, _actor(request), self_staff_id(request))
    except PermissionDenied:
        return False
    return True


def current_stage(application: Application, user) -> str | None:
    stage = STATUS_FOR_STAGE.get(application.status)
    if stage is None or user is None:
        return None
    try:
        services.ensure_reviewer(application, stage, user)
    except PermissionDenied:
        return None
    return stage


def detail_context(request: HttpRequest, application: Application, **extra) -> dict:
    user = _actor(request)
    applicant = is_applicant(request, application)
    editable = applicant and application.is_editable
    stage = current_stage(application, user)
    context = {
        "application": application,
        "attachments": application.attachments.all(),
        "opinions": application.opinions.all(),
        "merged": application.merged.all(),
        "recommendations": application.recommendations.all(),
        "can_edit": editable,
        "is_applicant": applicant,
        "stage": stage,
        "self_nominee": user is None,
        "panels": review_panels.panels_for(application, user) if user is not None else [],
    }
    if editable:
        context["form"] = extra.pop("form", None) or application_form_class(application)(instance=application)
        context["attachment_form"] = extra.pop("attachment_form", None) or AttachmentForm(
            kinds=APPLICANT_KINDS[application.award.subject])
        context["missing"] = services.missing_items(application)
        context["refusals"] = eligibility.refusals(application)
    if stage:
        context["opinion_form"] = extra.pop("opinion_form", None) or OpinionForm(
            decisions=services.ALLOWED[stage], needs_scan=stage == "district")
    context.update(extra)
    return context


def _render_detail(request: HttpRequest, application: Application, status: int = 200, error: str | None = None,
                   **extra) -> HttpResponse:
    if error:
        messages.error(request, error)
    return render(request, "awards/detail.html", detail_context(request, application, **extra), status=status)


def _handle(request: HttpRequest, application: Application, action: Callable[[], object], done: str | None = None,
            **extra) -> HttpResponse:
    """Run a service; on refusal show the page again with the reason and its status (the one
    mapping, core.pages); on success the next page says what was done (`done`)."""
    try:
        action()
    except REFUSALS as exc:
        return _render_detail(request, application, *refusal(exc), **extra)
    if done:
        messages.success(request, done)
    return redirect("awards:detail", pk=application.pk)


def login_or(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Page decorator for the applicant's pages: staff or a phone-verified self-nominee; anyone
    else is sent to log in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _LoginRequired:
            return redirect_to_login(request.get_full_path())

    return wrapper


# --- lists and start ----------------------------------------------------------------------

def _filtered(request, campaign):
    form = ListFilterForm(request.GET or None, campaign=campaign)
    queryset = (Application.objects.visible_to(request.user).filter(campaign=campaign)
                .exclude(status=Status.MERGED).select_related("award", "district", "company", "community", "staff"))
    if form.is_valid():
        data = form.cleaned_data
        if data.get("award"):
            queryset = queryset.filter(award__key=data["award"])
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("district"):
            queryset = queryset.filter(district=data["district"])
        if data.get("q"):
            queryset = queryset.filter(Q(full_name__icontains=data["q"]) | Q(applicant_name__icontains=data["q"]))
    return form, queryset


@require_GET
@role_required(*REVIEW_ROLES)
def application_list(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign(or_404=True)
    form, queryset = _filtered(request, campaign)
    page = Paginator(queryset, 30).get_page(request.GET.get("page"))
    template = "awards/list.html#results" if request.htmx else "awards/list.html"
    waiting = {
        Role.COMPANY: Status.COMPANY_REVIEW, Role.DISTRICT: Status.DISTRICT_REVIEW, Role.OFFICE: Status.OFFICE_REVIEW,
    }.get(request.user.role)
    return TemplateResponse(request, template, {
        "filter_form": form, "page": page, "query": request.GET.urlencode(), "waiting": waiting,
        "can_start": request.user.role in (Role.COMPANY, Role.OFFICE),
    })


@require_GET
@role_required(Role.OFFICE, Role.DISTRICT)
def application_export(request: HttpRequest) -> HttpResponse:
    """The district's 汇总表 and the office's lists: the filtered list as Excel."""
    campaign = current_campaign(or_404=True)
    _, queryset = _filtered(request, campaign)
    scope = request.user.district.name if request.user.role == Role.DISTRICT else campaign.city
    return workbook_response(f"{scope}申报汇总表.xlsx", [exports.applications_table(queryset, campaign)],
                             campaign=campaign, user=request.user)


@require_http_methods(["GET", "POST"])
@role_required(Role.COMPANY, Role.OFFICE)
def application_start(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign(or_404=True)
    on_behalf = is_office(request.user)
    form = StartForm(request.POST or None, campaign=campaign, user=request.user, on_behalf=on_behalf)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                application = services.start_application(
                    campaign, data["award"], actor=request.user,
                    channel=data.get("channel") or ("company" if data["award"].subject == "community"
                                                    else "company_nomination"),
                    community=data.get("community") if data["award"].subject == "community" else None,
                    staff=data.get("staff") if data["award"].subject == "staff" else None,
                    applicant_name=data.get("applicant_name", ""), applicant_phone=data.get("applicant_phone", ""),
                    entered_by_office=on_behalf, intake_note=data.get("intake_note", ""))
            except REFUSALS as exc:
                status, text = refusal(exc)
                form.add_error(None, text)
            else:
                if application.status != Status.DRAFT:
                    messages.info(request, "该小区已有申报，本次申报已并入原申报")
                return redirect("awards:detail", pk=application.pk)
        else:
            status = 400
    return render(request, "awards/start.html", {"form": form, "on_behalf": on_behalf}, status=status)


# --- the application page and its actions --------------------------------------------------

@require_GET
@login_or
def application_detail(request: HttpRequest, pk: str) -> HttpResponse:
    return _render_detail(request, application_for(request, pk))


@require_POST
@login_or
def application_save(request: HttpRequest, pk: str) -> HttpResponse:
    application = application_for(request, pk)
    form = application_form_class(application)(request.POST, instance=application)
    if not form.is_valid():
        if request.htmx:
            return _save_status(request, "error", "未保存：请检查填写内容", 400)
        return _render_detail(request, application, 400, "请检查填写内容", form=form)

    def save():
        services.save_draft(form, actor=_actor(request), self_staff_id=self_staff_id(request))

    if request.htmx:
        try:
            save()
        except REFUSALS as exc:
            status, text = refusal(exc)
            return _save_status(request, "error", text, status)
        return _save_status(request, "ok", f"已自动保存 {timezone.localtime():%H:%M:%S}")
    return _handle(request, application, save, "申报内容已保存", form=form)


@require_POST
@login_or
def attachment_add(request: HttpRequest, pk: str) -> HttpResponse:
    application = application_for(request, pk)
    allowed = [*APPLICANT_KINDS[application.award.subject], Attachment.Kind.SIGNED_FORM]
    form = AttachmentForm(request.POST, request.FILES, kinds=allowed)
    if not form.is_valid():
        return _render_detail(request, application, 400, "附件未上传，请按提示修改", attachment_form=form)
    return _handle(request, application, lambda: services.add_attachment(
        application, form.cleaned_data["kind"], form.cleaned_data["file"], actor=_actor(request),
        self_staff_id=self_staff_id(request)), f"已上传：{form.cleaned_data['file'].name}")


@require_POST
@login_or
def attachment_remove(request: HttpRequest, pk: str, attachment_pk: str) -> HttpResponse:
    application = application_for(request, pk)
    attachment = get_in_scope(application.attachments.all(), attachment_pk)
    return _handle(request, application, lambda: services.remove_attachment(
        attachment, actor=_actor(request), self_staff_id=self_staff_id(request)), "附件已删除")


@require_POST
@login_or
def application_submit(request: HttpRequest, pk: str) -> HttpResponse:
    application = application_for(request, pk)
    return _handle(request, application, lambda: services.submit(
        application, actor=_actor(request), self_staff_id=self_staff_id(request)), "申报已提交，请等待审核")


@require_POST
@login_or
def application_withdraw(request: HttpRequest, pk: str) -> HttpResponse:
    application = application_for(request, pk)
    return _handle(request, application, lambda: services.withdraw(
        application, actor=_actor(request), self_staff_id=self_staff_id(request)), "申报已撤回")


@require_POST
@role_required(*REVIEW_ROLES)
def application_opinion(request: HttpRequest, pk: str, stage: str) -> HttpResponse:
    if stage not in STAGE_STATUS:
        raise Http404("页面不存在")
    application = application_for(request, pk)
    form = OpinionForm(request.POST, request.FILES, decisions=services.ALLOWED[stage], needs_scan=stage == "district")
    if not form.is_valid():
        # Role and state are checked first so that a wrong actor gets 403, not a form error.
        services.ensure_reviewer(application, stage, request.user)
        return _render_detail(request, application, 400, "意见未提交，请按提示修改", opinion_form=form)
    data = form.cleaned_data
    return _handle(request, application, lambda: services.give_opinion(
        application, stage, data["decision"], data["text"], actor=request.user, seal_scan=data.get("seal_scan")),
        f"意见已提交：{dict(form.fields['decision'].choices).get(data['decision'], '')}", opinion_form=form)


def _save_status(request: HttpRequest, kind: str, text: str, status: int = 200) -> HttpResponse:
    """The autosave's one-line answer for htmx (escaped like every template value)."""
    return render(request, "awards/save_status.html", {"kind": kind, "text": text}, status=status)


# --- files ------------------------------------------------------------------------------

def serve_file(attachment, thumbnail=False):
    """Awards' files keep their object-scoped addresses (the view checks the application,
    recommendation or published showcase first) and are sent like every other stored file."""
    field = attachment.thumbnail if thumbnail and attachment.thumbnail else attachment.file
    return files.deliver(field.name, content_type="image/jpeg" if thumbnail else attachment.content_type,
                         storage=field.storage, download_name=attachment.get_kind_display())


@require_GET
@login_or
def attachment_file(request: HttpRequest, pk: str, attachment_pk: str, variant: str = "") -> HttpResponse:
    application = application_for(request, pk)
    attachment = get_in_scope(application.attachments.all(), attachment_pk)
    response = serve_file(attachment, thumbnail=variant == "thumb")
    response["Cache-Control"] = files.PRIVATE
    return response


@require_GET
@login_or
def application_print(request: HttpRequest, pk: str, fmt: str) -> HttpResponse:
    application = application_for(request, pk)
    name = f"{printing.title(application)}-{application.pk}"
    if fmt == "pdf":
        try:
            pdf = printing.render_pdf(application)
        except printing.PrintUnavailable as exc:
            return _render_detail(request, application, 503, str(exc))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f"inline; filename*=UTF-8''{_quote(name)}.pdf"
    elif fmt == "docx":
        response = HttpResponse(printing.render_docx(application), content_type=(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}.docx"
    else:
        raise Http404("页面不存在")
    return response


def _quote(text):
    from urllib.parse import quote

    return quote(text)


# --- public recommendations (office side) -------------------------------------------------

@require_GET
@role_required(Role.OFFICE)
def recommendation_list(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign(or_404=True)
    items = campaign.recommendations.select_related("district", "community", "application", "resident")
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    return render(request, "awards/recommendations.html", {"page": page, "query": ""})


@require_POST
@role_required(Role.OFFICE)
def recommendation_act(request: HttpRequest, pk: str, act: str) -> HttpResponse:
    campaign = current_campaign(or_404=True)
    recommendation = get_in_scope(campaign.recommendations.all(), pk)
    try:
        if act == "convert":
            application = services.convert_recommendation(recommendation, actor=request.user)
            messages.success(request, f"已转为申报 #{application.pk}")
        elif act == "dismiss":
            form = DismissForm(request.POST)
            form.is_valid()  # an empty or over-long reason is refused by the service in Chinese
            services.dismiss_recommendation(recommendation, actor=request.user,
                                            reason=form.cleaned_data.get("reason", ""))
            messages.success(request, "已标记为不予受理")
        else:
            raise Http404("页面不存在")
    except REFUSALS as exc:
        return render(request, "awards/recommendations.html", {
            "page": Paginator(campaign.recommendations.all(), 30).get_page(1)}, status=refusal_message(request, exc))
    return redirect("awards:recommendations")


@require_GET
@role_required(Role.OFFICE)
def recommendation_photo(request: HttpRequest, pk: str, attachment_pk: str) -> HttpResponse:
    campaign = current_campaign(or_404=True)
    recommendation = get_in_scope(campaign.recommendations.all(), pk)
    return serve_file(get_in_scope(recommendation.attachments.all(), attachment_pk))


# --- showcase preparation (office) ----------------------------------------------------------

@require_GET
@role_required(Role.OFFICE)
def showcase_admin_list(request: HttpRequest) -> HttpResponse:
    campaign = current_campaign(or_404=True)
    items = (Showcase.objects.filter(application__campaign=campaign)
             .select_related("application__award", "application__district"))
    return render(request, "awards/showcase_admin.html", {"items": items})


@require_http_methods(["GET", "POST"])
@role_required(Role.OFFICE)
def showcase_edit(request: HttpRequest, pk: str) -> HttpResponse:
    campaign = current_campaign(or_404=True)
    showcase = get_in_scope(Showcase.objects.filter(application__campaign=campaign).select_related("application"), pk)
    form = ShowcaseForm(request.POST or None, instance=showcase)
    upload = AttachmentForm(kinds=[Attachment.Kind.SHOWCASE_PHOTO])
    if request.method == "POST" and form.is_valid():
        services.save_showcase(form, actor=request.user)
        messages.success(request, "展示素材已保存")
        return redirect("awards:showcase_edit", pk=showcase.pk)
    return render(request, "awards/showcase_edit.html", {"form": form, "showcase": showcase, "upload": upload,
                                                         "attachments": showcase.application.attachments.all()},
                  status=400 if form.errors else 200)


@require_POST
@role_required(Role.OFFICE)
def showcase_publish(request: HttpRequest, pk: str, act: str) -> HttpResponse:
    campaign = current_campaign(or_404=True)
    showcase = get_in_scope(Showcase.objects.filter(application__campaign=campaign), pk)
    if act not in ("publish", "unpublish"):
        raise Http404("页面不存在")
    try:
        services.set_published(showcase, act == "publish", actor=request.user)
    except REFUSALS as exc:
        refusal_message(request, exc)
        return redirect("awards:showcase_admin")
    messages.success(request, "已发布" if act == "publish" else "已撤下")
    return redirect("awards:showcase_admin")


@require_POST
@role_required(Role.OFFICE)
def showcase_photo_add(request: HttpRequest, pk: str) -> HttpResponse:
    campaign = current_campaign(or_404=True)
    showcase = get_in_scope(Showcase.objects.filter(application__campaign=campaign).select_related("application"), pk)
    form = AttachmentForm(request.POST, request.FILES, kinds=[Attachment.Kind.SHOWCASE_PHOTO])
    back = reverse("awards:showcase_edit", args=[showcase.pk])
    if not form.is_valid():
        messages.error(request, form_errors(form) or "请选择照片文件")
        return redirect(back)
    return pages.act(request, lambda: services.add_showcase_photo(showcase, form.cleaned_data["file"], actor=request.user),
               "照片已添加", back)
