"""Survey pages: a surveyor's communities and the phone questionnaire; coverage live by
district, community and surveyor (Excel export); the office assigns surveyors and imports
paper questionnaires."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wenming.campaigns import clock
from wenming.campaigns.services import current_campaign
from wenming.core.access import get_in_scope, is_office, role_required
from wenming.core.excel import workbook_response
from wenming.core.identity.phone_step import phone_step
from wenming.core.models import User
from wenming.core.pages import REFUSALS, act, form_errors, refusal_on_form
from wenming.core.posters import qr_poster
from wenming.core.roles import Role
from wenming.registry.models import Community, Household
from wenming.surveys import exports, services
from wenming.surveys.forms import AssignForm, ExportForm, PaperForm, RegisterFileForm, ResponseForm, SchemeForm
from wenming.surveys.models import Assignment, Response

VIEWERS = (Role.OFFICE, Role.DISTRICT, Role.SURVEYOR)


@require_GET
@role_required(*VIEWERS)
def home(request):
    campaign = current_campaign(or_404=True)
    communities = services.assigned_communities(request.user, campaign).select_related("district").order_by(
        "district", "name")
    rows = services.coverage(campaign, list(communities))
    target = services.spec(campaign)["coverage_target_percent"]
    export = ExportForm(request.GET)
    if export.is_valid() and export.cleaned_data["format"] == "xlsx":
        return workbook_response("入户调查覆盖率.xlsx", [exports.coverage_table(campaign, communities)],
                                 campaign=campaign, user=request.user)
    districts = {}
    for r in rows:
        d = districts.setdefault(r.community.district.name, [0, 0])
        d[0] += r.responses
        d[1] += r.households
    surveyors = []
    if is_office(request.user):
        surveyors = services.by_surveyor(campaign, list(User.objects.filter(role=Role.SURVEYOR).order_by("username")))
    _, opens, closes = clock.window(campaign, "survey")
    return render(request, "surveys/home.html", {
        "rows": rows, "target": target, "surveyors": surveyors, "open": opens <= timezone.now() < closes,
        "window": f"{clock.display_start(opens, campaign.tz)} 至 {clock.display_end(closes, campaign.tz)}",
        "districts": [(k, v[0], v[1], 100 * v[0] / v[1] if v[1] else 0) for k, v in districts.items()],
        "assign_form": AssignForm(communities=Community.objects.select_related("district")) if is_office(
            request.user) else None, "paper_form": PaperForm(),
    })


@require_http_methods(["GET", "POST"])
@role_required(Role.SURVEYOR, Role.OFFICE)
def entry(request, pk):
    campaign = current_campaign(or_404=True)
    community = get_in_scope(services.assigned_communities(request.user, campaign), pk)
    form = ResponseForm(request.POST or None, survey=services.spec(campaign))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                response, created = services.record_response(
                    campaign, community, household=(data["building"], data["unit"], data["room"]),
                    answers=form.answers(), client_id=data["client_id"], channel=Response.Channel.SURVEYOR,
                    surveyor=request.user, started_at=data["started_at"])
            except REFUSALS as exc:
                status = refusal_on_form(form, exc, field=_household_field(exc))
            else:
                messages.success(request, f"{response.household} 已记录" + ("" if created else "（重复提交，未重复计数）")
                                 + ("；录入用时过短，已标记待核实" if response.flagged_fast else ""))
                return redirect("surveys:entry", community.pk)
    rate = services.coverage(campaign, [community])[0]
    return render(request, "surveys/entry.html", {"form": form, "community": community, "coverage": rate,
                                                  "now": timezone.now().isoformat()}, status=status)


HOUSEHOLD_REFUSALS = (services.DuplicateHousehold, services.PhoneAnswered, services.UnknownHousehold)
DEVICE_COOKIE = "wm_survey_device"


def _household_field(exc):
    """A household's second response, an unregistered household and a phone that answered for
    another household are refused at the household; anything else at the top."""
    return "room" if isinstance(exc, HOUSEHOLD_REFUSALS) else None


def device_of(request):
    """The self-fill page's device cookie (set on the page, sent with each answer)."""
    value = request.COOKIES.get(DEVICE_COOKIE, "")
    return value if len(value) == 32 and value.isalnum() else ""


def _with_device(request, response):
    if not device_of(request):
        response.set_cookie(DEVICE_COOKIE, uuid.uuid4().hex, max_age=400 * 24 * 3600, httponly=True, samesite="Lax",
                            secure=settings.SECURE_COOKIES)
    return response


@require_http_methods(["GET", "POST"])
def self_fill(request, pk):
    """A resident fills the questionnaire for their own household from the community's link or
    QR code, after phone verification; counted the same way (one response per household)."""
    campaign = current_campaign(or_404=True)
    community = get_in_scope(Community.objects.filter(pk__in=Assignment.objects.filter(campaign=campaign)
                                                      .values("community_id")), pk)
    resident, response = phone_step(request, campaign, "survey", heading="千家万户访文明问卷：验证手机号")
    if response is not None:
        return response
    form = ResponseForm(request.POST if request.POST.get("step") == "answer" else None, survey=services.spec(campaign))
    status = 200
    if request.method == "POST" and request.POST.get("step") == "answer":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_response(
                    campaign, community, household=(data["building"], data["unit"], data["room"]),
                    answers=form.answers(), client_id=data["client_id"], channel=Response.Channel.SELF,
                    resident=resident, started_at=data["started_at"], device=device_of(request))
            except REFUSALS as exc:
                status = refusal_on_form(form, exc, field=_household_field(exc))
            else:
                return _with_device(request, render(request, "surveys/thanks.html", {"community": community}))
        else:
            status = 400
    return _with_device(request, render(request, "surveys/self_fill.html", {
        "form": form, "community": community, "now": timezone.now().isoformat()}, status=status))


@require_POST
@role_required(Role.OFFICE)
def assign(request):
    campaign = current_campaign(or_404=True)
    form = AssignForm(request.POST, communities=Community.objects.all())
    if not form.is_valid():
        messages.error(request, form_errors(form) or "请选择调查员和小区")
        return redirect("surveys:home")
    surveyor = get_in_scope(User.objects.filter(role=Role.SURVEYOR), form.cleaned_data["surveyor"])
    communities = list(Community.objects.filter(pk__in=form.cleaned_data["communities"]))
    return act(request, lambda: services.assign(campaign, request.user, surveyor, communities),
               lambda made: f"已为 {surveyor} 新分配 {made} 个小区", reverse("surveys:home"))


@require_POST
@role_required(Role.OFFICE, Role.SURVEYOR)
def paper(request):
    campaign = current_campaign(or_404=True)
    form = PaperForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择调查表文件")
        return redirect("surveys:home")
    return act(request, lambda: services.import_paper(campaign, request.user, form.cleaned_data["file"]),
               lambda created: f"已导入 {created} 份纸质调查表", reverse("surveys:home"))


# --- the household register -----------------------------------------------------------------------

REGISTER_ROLES = (Role.OFFICE, Role.DISTRICT)


def _register_community(request, pk):
    campaign = current_campaign(or_404=True)
    return campaign, get_in_scope(services.assigned_communities(request.user, campaign), pk)


def _register_page(request, campaign, community, *, file_form=None, scheme_form=None, status=200):
    households = Household.objects.filter(community=community)
    buildings = {}
    for building, occupied in households.values_list("building", "occupied"):
        row = buildings.setdefault(building, [0, 0])
        row[0] += 1
        row[1] += occupied
    return render(request, "surveys/register.html", {
        "community": community, "file_form": file_form or RegisterFileForm(),
        "scheme_form": scheme_form or SchemeForm(), "count": households.count(),
        "buildings": sorted(buildings.items(), key=lambda kv: (len(kv[0]), kv[0])),
        "coverage": services.coverage(campaign, [community])[0]}, status=status)


@require_GET
@role_required(*REGISTER_ROLES)
def register(request, pk):
    """A community's household register (住户登记): imported from Excel or generated from a
    numbering scheme; the occupied households are coverage's denominator."""
    campaign, community = _register_community(request, pk)
    return _register_page(request, campaign, community)


@require_POST
@role_required(*REGISTER_ROLES)
def register_import(request, pk):
    campaign, community = _register_community(request, pk)
    form = RegisterFileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            total, occupied = services.import_register(community, request.user, form.cleaned_data["file"])
        except REFUSALS as exc:
            status = refusal_on_form(form, exc, field="file")
        else:
            messages.success(request, f"已导入住户登记：共 {total} 户，其中入住 {occupied} 户")
            return redirect("surveys:register", community.pk)
    else:
        status = 400
    return _register_page(request, campaign, community, file_form=form, status=status)


@require_POST
@role_required(*REGISTER_ROLES)
def register_generate(request, pk):
    campaign, community = _register_community(request, pk)
    form = SchemeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            total, occupied = services.generate_register(
                community, request.user, buildings=data["buildings"], units=data["units"], floors=data["floors"],
                per_floor=data["per_floor"], vacant=data["vacant"])
        except REFUSALS as exc:
            status = refusal_on_form(form, exc)
        else:
            messages.success(request, f"已按编号规则生成住户登记：共 {total} 户，其中入住 {occupied} 户")
            return redirect("surveys:register", community.pk)
    else:
        status = 400
    return _register_page(request, campaign, community, scheme_form=form, status=status)


# --- held responses -------------------------------------------------------------------------------

@require_GET
@role_required(Role.OFFICE)
def held(request):
    """Flagged responses (too fast, one device for several households), kept out of coverage
    and points until the office releases them."""
    campaign = current_campaign(or_404=True)
    rows = services.held(campaign).select_related("community", "surveyor").order_by("community__name", "household")
    return render(request, "surveys/held.html", {"rows": rows[:500], "count": rows.count()})


@require_POST
@role_required(Role.OFFICE)
def release(request, pk):
    campaign = current_campaign(or_404=True)
    response = get_in_scope(Response.objects.filter(campaign=campaign), pk)
    return act(request, lambda: services.release(campaign, request.user, response),
               lambda r: f"已放行 {r.community.name} {r.household} 的问卷，计入入户率和得分", reverse("surveys:held"))


# --- the self-fill poster -------------------------------------------------------------------------

@require_GET
def self_fill_poster(request, pk):
    """A printable PNG for the community's notice board: the QR code of its self-fill link."""
    campaign = current_campaign(or_404=True)
    community = get_in_scope(Community.objects.filter(pk__in=Assignment.objects.filter(campaign=campaign)
                                                      .values("community_id")), pk)
    url = request.build_absolute_uri(reverse("surveys:self_fill", args=[community.pk]))
    png = qr_poster(url, theme=campaign.theme or campaign.name, kicker="千家万户访文明", title=f"{community.name} 居民问卷",
                    subtitle="每户一份 · 只记录户号", call="微信扫码，验证手机号后填写", organiser=campaign.organiser)
    response = HttpResponse(png, content_type="image/png")
    response["Content-Disposition"] = content_disposition_header(False, f"问卷海报-{community.pk}.png")
    return response
