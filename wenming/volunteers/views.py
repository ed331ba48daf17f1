"""Volunteer pages. Residents (behind the phone step): a station's page, joining, asking for
help, an activity's sign-up, the scan page behind the organiser's QR, their own record and
certificates. Company and district staff: stations, activities, the organiser's QR, hours to
confirm, help requests, figures and the export. Anyone: the certificate check by number."""

import base64
import io

import qrcode
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wenming.campaigns.services import current_campaign
from wenming.core.access import get_in_scope, parse_pk, role_required
from wenming.core.identity.phone_step import phone_step, verified_resident
from wenming.core.pages import REFUSALS, act, form_errors, refusal_on_form, refused
from wenming.core.pdf import pdf_available
from wenming.core.posters import qr_poster
from wenming.core.roles import Role
from wenming.core.validators import mask_phone
from wenming.registry.models import Community, Staff
from wenming.volunteers import exports, forms, services
from wenming.volunteers.models import Activity, Certificate, HelpRequest, Record, RecordState, Station, Volunteer

STAFF = (Role.OFFICE, Role.DISTRICT, Role.COMPANY)


def _resident(request, campaign, heading):
    return phone_step(request, campaign, "volunteer", heading=heading,
                      intro="验证手机号后继续；您的服务记录和证明可在“我的志愿服务”中查看。")


def _names(campaign):
    return {"types": services.activity_types(campaign), "skills": services.skills(campaign),
            "groups": services.help_groups(campaign), "kinds": services.help_kinds(campaign)}


# --- residents and the public -------------------------------------------------------------------------

@require_GET
def station_public(request, pk):
    """The station's page behind its poster: what it offers, when, and its coming activities."""
    campaign = current_campaign(or_404=True)
    station = get_in_scope(Station.objects.select_related("community", "company"), pk)
    upcoming = (Activity.objects.filter(station=station, state=Activity.State.OPEN, ends_at__gt=timezone.now())
                .order_by("starts_at")[:20])
    return render(request, "volunteers/station_public.html", {
        "station": station, "upcoming": upcoming, "names": _names(campaign),
        "contact": mask_phone(station.contact_phone)})


@never_cache
@require_http_methods(["GET", "POST"])
def join(request, pk):
    campaign = current_campaign(or_404=True)
    station = get_in_scope(Station.objects.select_related("community"), pk)
    resident, response = _resident(request, campaign, f"{station.name} · 志愿者登记")
    if response is not None:
        return response
    if services.volunteer_for(station, resident) is not None:
        messages.info(request, "您已是本服务站志愿者")
        return redirect("volunteers:me")
    posted = request.method == "POST" and request.POST.get("step") == "join"
    form = forms.JoinForm(request.POST if posted else None, campaign=campaign)
    status = 200
    if posted:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.join_as_resident(campaign, station, resident, name=data["name"], chosen_skills=data["skills"],
                                          consent_version=campaign.privacy_notice_version)
            except REFUSALS as exc:
                status = refusal_on_form(form, exc, name_of=lambda key: "consent" if key == "consent" else key)
            else:
                messages.success(request, f"已登记为{station.name}志愿者")
                return redirect("volunteers:station", station.pk)
    return render(request, "volunteers/join.html", {"station": station, "form": form, "campaign": campaign},
                  status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def ask_help(request, pk):
    """A household (孤寡老人、留守儿童、残疾人 or their family) asks the station for help."""
    campaign = current_campaign(or_404=True)
    station = get_in_scope(Station.objects.select_related("community"), pk)
    resident, response = _resident(request, campaign, f"{station.name} · 申请帮扶")
    if response is not None:
        return response
    posted = request.method == "POST" and request.POST.get("step") == "help"
    form = forms.HelpForm(request.POST if posted else None, campaign=campaign)
    status = 200
    if posted:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.request_help(campaign, station, services.HelpForm(
                    group=data["group"], kind=data["kind"], description=data["description"], address=data["address"],
                    phone=resident.phone), resident=resident)
            except REFUSALS as exc:
                status = refusal_on_form(form, exc)
            else:
                messages.success(request, "帮扶需求已提交，服务站将安排志愿者与您联系")
                return redirect("volunteers:me")
    return render(request, "volunteers/ask_help.html", {"station": station, "form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def activity_public(request, pk):
    campaign = current_campaign(or_404=True)
    activity = get_in_scope(Activity.objects.select_related("station__community"), pk)
    resident, response = _resident(request, campaign, f"{activity.title} · 报名")
    if response is not None:
        return response
    volunteer = services.volunteer_for(activity.station, resident)
    record = Record.objects.filter(activity=activity, volunteer=volunteer).first() if volunteer else None
    if request.method == "POST":
        step = request.POST.get("step")
        back = reverse("volunteers:activity", args=[activity.pk])
        if step == "signup":
            return act(request, lambda: services.sign_up(activity, resident), "报名成功，请按时到场扫码签到", back)
        if step == "cancel":
            return act(request, lambda: services.cancel_sign_up(activity, resident), "已取消报名", back)
        messages.error(request, "请选择报名或取消报名")
        return render(request, "volunteers/activity_public.html", {
            "activity": activity, "volunteer": volunteer, "record": record, "names": _names(campaign),
            "left": activity.places - services.taken_places(activity)}, status=400)
    return render(request, "volunteers/activity_public.html", {
        "activity": activity, "volunteer": volunteer, "record": record, "names": _names(campaign),
        "left": activity.places - services.taken_places(activity)})


@never_cache
@require_http_methods(["GET", "POST"])
def scan(request):
    """The page the organiser's QR opens: GET shows what the code is for (and changes nothing),
    the button posts it."""
    campaign = current_campaign(or_404=True)
    # The phone step posts back to this URL without the code in its body: it is in the query.
    code = (request.POST.get("c") or request.GET.get("c") or "")[:100]
    try:
        activity, direction = services.code_activity(code)
    except services.CodeRefused as exc:
        return refused(request, exc, reverse("volunteers:me"))
    resident, response = _resident(request, campaign, f"{activity.title} · 扫码{services.DIRECTIONS[direction]}")
    if response is not None:
        return response
    if request.method == "POST" and request.POST.get("step") == "scan":
        try:
            record = services.scan(code, resident)
        except REFUSALS as exc:
            return refused(request, exc, reverse("volunteers:me"))
        if record.state == RecordState.SIGNED_IN:
            messages.success(request, f"签到成功：{timezone.localtime(record.signed_in_at):%H:%M}")
        else:
            messages.success(request, f"签退成功，本次服务 {services.hours_text(record.measured_minutes)} 小时，"
                             "待组织者确认")
        return redirect("volunteers:me")
    return render(request, "volunteers/scan.html", {"activity": activity, "direction": services.DIRECTIONS[direction],
                                                    "code": code})


@never_cache
@require_http_methods(["GET", "POST"])
def me(request):
    """The resident's volunteer record: registrations, activities, hours and who confirmed
    them, help requests to take or to confirm, and certificates."""
    campaign = current_campaign(or_404=True)
    resident, response = _resident(request, campaign, "我的志愿服务：验证手机号")
    if response is not None:
        return response
    volunteers = list(services.volunteers_of(resident))
    records = (Record.objects.filter(volunteer__in=volunteers).exclude(state=RecordState.CANCELLED)
               .select_related("activity", "help_request", "station__community", "confirmed_by"))
    rows = [(r, services.content_of(r, campaign), services.recorder_of(r) if r.confirmed_at else "",
             r.state == RecordState.CONFIRMED and r.objected_at is None) for r in records]
    open_help = (HelpRequest.objects.filter(station__in=[v.station_id for v in volunteers], state=HelpRequest.State.OPEN)
                 .select_related("station"))
    my_help = HelpRequest.objects.filter(Q(volunteer__in=volunteers) | Q(phone=resident.phone)).exclude(
        state=HelpRequest.State.CANCELLED).select_related("station", "volunteer")
    certificates = Certificate.objects.filter(volunteer__in=volunteers).select_related("station")
    figures = services.totals(Record.objects.filter(volunteer__in=volunteers))
    return render(request, "volunteers/me.html", {
        "volunteers": volunteers, "rows": rows, "open_help": open_help, "my_help": my_help, "phone": resident.phone,
        "certificates": certificates, "total_hours": services.hours_text(figures["minutes"]),
        "total_records": figures["records"], "names": _names(campaign), "objection": forms.ObjectionForm(),
        "report": forms.ReportForm()})


@require_POST
def object_record(request, pk):
    resident = verified_resident(request)
    if resident is None:
        return redirect("volunteers:me")
    record = Record.objects.filter(pk=parse_pk(pk), volunteer__phone=resident.phone).first()
    if record is None:
        raise Http404
    form = forms.ObjectionForm(request.POST)
    back = reverse("volunteers:me")
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(back)
    return act(request, lambda: services.object_to(record, resident, form.cleaned_data["objection"]),
               "异议已提交，组织者将复核", back)


@require_POST
def my_help(request, pk):
    """A volunteer takes a request or reports it done; the household confirms it was done."""
    resident = verified_resident(request)
    if resident is None:
        return redirect("volunteers:me")
    help_request = get_in_scope(HelpRequest.objects.select_related("station"), pk)
    back = reverse("volunteers:me")
    step = request.POST.get("step")
    volunteer = services.volunteer_for(help_request.station, resident)
    if step == "take":
        if volunteer is None:
            raise Http404
        return act(request, lambda: services.take_help(help_request, volunteer, resident=resident),
                   "已认领，请尽快与受助居民联系", back)
    if step == "report":
        if help_request.volunteer_id is None or help_request.volunteer.phone != resident.phone:
            raise Http404
        form = forms.ReportForm(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return redirect(back)
        return act(request, lambda: services.report_help(help_request, resident, minutes=form.cleaned_data["hours"]),
                   "已填报，待受助居民确认", back)
    if step == "confirm":
        if help_request.phone != resident.phone:
            raise Http404
        return act(request, lambda: services.confirm_help(help_request, resident=resident), "感谢确认，服务已办结", back)
    messages.error(request, "请选择要进行的操作")
    return redirect(back)


@require_POST
def issue_mine(request, pk):
    """The volunteer asks for a certificate of their records at one station."""
    campaign = current_campaign(or_404=True)
    resident = verified_resident(request)
    if resident is None:
        return redirect("volunteers:me")
    volunteer = Volunteer.objects.filter(pk=parse_pk(pk), phone=resident.phone).first()
    if volunteer is None:
        raise Http404
    try:
        certificate = services.issue_certificate(campaign, volunteer, resident=resident)
    except REFUSALS as exc:
        return refused(request, exc, reverse("volunteers:me"))
    messages.success(request, f"证明已开具，编号 {certificate.number}")
    return redirect("volunteers:me")


def _certificate_for(request, number):
    """A certificate its volunteer (verified phone) or staff in scope may print; 404 to others."""
    certificate = Certificate.objects.select_related("station__community", "company", "volunteer").filter(
        number=number[:24]).first()
    if certificate is None:
        raise Http404
    if request.user.is_authenticated and request.user.role in STAFF:
        if not Certificate.objects.visible_to(request.user).filter(pk=certificate.pk).exists():
            raise Http404
        return certificate
    resident = verified_resident(request)
    if resident is None or resident.phone != certificate.volunteer.phone:
        raise Http404
    return certificate


def _certificate_context(request, certificate):
    campaign = current_campaign(or_404=True)
    # the records the certificate counted: confirmed by the time it was issued
    records = (services.confirmed(Record.objects.filter(volunteer=certificate.volunteer,
                                                        confirmed_at__lte=certificate.issued_at))
               .select_related("activity", "help_request", "station__community", "confirmed_by").order_by("served_on"))
    return {"certificate": certificate, "hours": services.hours_text(certificate.minutes), "campaign": campaign,
            "rows": [(r, services.content_of(r, campaign), services.recorder_of(r)) for r in records],
            "check_qr": _qr_data_uri(request.build_absolute_uri(reverse("volunteers:check")
                                                                 + f"?number={certificate.number}"))}


@never_cache
@require_GET
def certificate(request, number):
    """The printable certificate (the web version)."""
    certificate = _certificate_for(request, number)
    return render(request, "volunteers/certificate.html", {**_certificate_context(request, certificate),
                                                           "pdf": pdf_available()})


@never_cache
@require_GET
def certificate_pdf(request, number):
    certificate = _certificate_for(request, number)
    if not pdf_available():
        return render(request, "core/refused.html", {
            "message": "服务器未安装 PDF 排版组件或中文字体，请使用网页版打印",
            "back": reverse("volunteers:certificate", args=[certificate.number])}, status=503)
    from weasyprint import HTML

    html = render_to_string("volunteers/certificate_print.html", _certificate_context(request, certificate))
    response = HttpResponse(HTML(string=html, base_url=None).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"志愿服务记录证明-{certificate.number}.pdf")
    return response


@require_GET
def check(request):
    """Anyone checks a certificate by its number: masked name and totals, nothing more."""
    form = forms.CheckForm(request.GET or None)
    found, status = None, 200
    if form.is_valid() and form.cleaned_data["number"]:
        found = services.public_check(form.cleaned_data["number"])
        if found is None:
            status = 404
    return render(request, "volunteers/check.html", {"form": form, "found": found, "asked": status == 404},
                  status=status)


# --- staff -----------------------------------------------------------------------------------------------

def _stations(user):
    return Station.objects.visible_to(user).select_related("community", "company", "district")


@require_GET
@role_required(*STAFF)
def stations(request):
    campaign = current_campaign(or_404=True)
    visible = _stations(request.user)
    data = services.figures(campaign, visible)
    return render(request, "volunteers/stations.html", {
        "rows": data["stations"], "is_company": request.user.role == Role.COMPANY,
        "hours": services.hours_text})


def _own_communities(user):
    return Community.objects.filter(company_id=user.company_id, volunteer_station__isnull=True).order_by("name")


@never_cache
@require_http_methods(["GET", "POST"])
@role_required(Role.COMPANY)
def station_new(request):
    campaign = current_campaign(or_404=True)
    communities = _own_communities(request.user)
    form = forms.StationForm(request.POST or None, campaign=campaign, communities=communities)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            community = communities.get(pk=int(data["community"]))
            try:
                station = services.register_station(campaign, community, services.StationForm(
                    name=data["name"], contact_name=data["contact_name"], contact_phone=data["contact_phone"],
                    hours=data["hours"], services=tuple(data["services"])), actor=request.user)
            except REFUSALS as exc:
                status = refusal_on_form(form, exc)
            else:
                messages.success(request, f"已登记 {station.name}")
                return redirect("volunteers:station_detail", station.pk)
    return render(request, "volunteers/station_new.html", {"form": form}, status=status)


def _station_context(request, campaign, station, **forms_given):
    is_company = services.is_station_staff(request.user, station)
    staff = Staff.objects.filter(company_id=station.company_id).exclude(
        phone_hash__in=station.volunteers.values("phone_hash")).order_by("name")
    return {"station": station, "is_company": is_company, "names": _names(campaign),
            "volunteers": station.volunteers.all(), "activities": station.activities.all()[:50],
            "staff_form": forms_given.get("staff_form") or forms.StaffVolunteerForm(campaign=campaign, staff=staff),
            "activity_form": forms_given.get("activity_form") or forms.ActivityForm(campaign=campaign),
            "contact": mask_phone(station.contact_phone)}


@require_GET
@role_required(*STAFF)
def station_detail(request, pk):
    campaign = current_campaign(or_404=True)
    station = get_in_scope(_stations(request.user), pk)
    return render(request, "volunteers/station_detail.html", _station_context(request, campaign, station))


@require_GET
@role_required(*STAFF)
def station_poster(request, pk):
    campaign = current_campaign(or_404=True)
    station = get_in_scope(_stations(request.user), pk)
    url = request.build_absolute_uri(reverse("volunteers:station", args=[station.pk]))
    png = qr_poster(url, theme=campaign.theme or campaign.name, kicker="志愿者服务站", title=station.name,
                    subtitle=station.hours, call="微信扫码，登记志愿者、报名活动", organiser=station.company.name)
    response = HttpResponse(png, content_type="image/png")
    response["Content-Disposition"] = content_disposition_header(False, f"志愿服务站海报-{station.pk}.png")
    return response


@require_POST
@role_required(Role.COMPANY)
def add_volunteer(request, pk):
    campaign = current_campaign(or_404=True)
    station = get_in_scope(_stations(request.user), pk)
    staff = Staff.objects.filter(company_id=station.company_id).order_by("name")
    form = forms.StaffVolunteerForm(request.POST, campaign=campaign, staff=staff)
    if form.is_valid():
        worker = staff.get(pk=int(form.cleaned_data["staff"]))
        try:
            services.add_staff_volunteer(campaign, station, worker, actor=request.user,
                                         chosen_skills=form.cleaned_data["skills"])
        except REFUSALS as exc:
            status = refusal_on_form(form, exc)
        else:
            messages.success(request, f"已登记 {worker.name} 为志愿者")
            return redirect("volunteers:station_detail", station.pk)
    else:
        status = 400
    return render(request, "volunteers/station_detail.html",
                  _station_context(request, campaign, station, staff_form=form), status=status)


@require_POST
@role_required(Role.COMPANY)
def activity_new(request, pk):
    campaign = current_campaign(or_404=True)
    station = get_in_scope(_stations(request.user), pk)
    form = forms.ActivityForm(request.POST, campaign=campaign)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            activity = services.create_activity(campaign, station, services.ActivityForm(
                kind=data["kind"], title=data["title"], content=data["content"], place=data["place"],
                partner=data["partner"], starts_at=data["starts_at"], ends_at=data["ends_at"], places=data["places"]),
                actor=request.user)
        except REFUSALS as exc:
            status = refusal_on_form(form, exc)
        else:
            messages.success(request, f"已发布活动“{activity.title}”")
            return redirect("volunteers:activity_detail", activity.pk)
    return render(request, "volunteers/station_detail.html",
                  _station_context(request, campaign, station, activity_form=form), status=status)


def _activities(user):
    return Activity.objects.visible_to(user).select_related("station__community", "company", "campaign")


@never_cache
@require_GET
@role_required(*STAFF)
def activity_detail(request, pk):
    campaign = current_campaign(or_404=True)
    activity = get_in_scope(_activities(request.user), pk)
    records = activity.records.exclude(state=RecordState.CANCELLED).select_related("volunteer", "confirmed_by")
    # each record's forms have their own ids (one page, many forms)
    rows = [(r, forms.ConfirmForm(auto_id=f"id_r{r.pk}_%s"), forms.ReviewForm(auto_id=f"id_v{r.pk}_%s"))
            for r in records]
    return render(request, "volunteers/activity_detail.html", {
        "activity": activity, "rows": rows, "names": _names(campaign),
        "is_company": services.is_station_staff(request.user, activity.station),
        "confirm_until": services.confirm_until(activity), "cancel_form": forms.ReasonForm(auto_id="id_cancel_%s"),
        "taken": services.taken_places(activity)})


def _qr_data_uri(text):
    code = qrcode.QRCode(border=2, box_size=8, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@never_cache
@require_GET
@role_required(Role.COMPANY)
def activity_code(request, pk):
    """The organiser's phone: the QR of a fresh sign-in (or sign-out) code, renewed before it
    expires. Issuing a code writes nothing: it is signed, not stored."""
    campaign = current_campaign(or_404=True)
    activity = get_in_scope(_activities(request.user), pk)
    direction = request.GET.get("d") if request.GET.get("d") in services.DIRECTIONS else services.IN
    try:
        code = services.issue_code(activity, direction, actor=request.user)
    except REFUSALS as exc:
        return refused(request, exc, reverse("volunteers:activity_detail", args=[activity.pk]))
    url = request.build_absolute_uri(reverse("volunteers:scan") + f"?c={code}")
    seconds = services.spec(campaign).code_seconds
    return render(request, "volunteers/activity_code.html", {
        "activity": activity, "qr": _qr_data_uri(url), "url": url, "direction": services.DIRECTIONS[direction],
        "other": services.OUT if direction == services.IN else services.IN, "refresh": max(seconds - 10, 5),
        "seconds": seconds})


@require_POST
@role_required(Role.COMPANY)
def activity_cancel(request, pk):
    activity = get_in_scope(_activities(request.user), pk)
    form = forms.ReasonForm(request.POST)
    back = reverse("volunteers:activity_detail", args=[activity.pk])
    if not form.is_valid():
        messages.error(request, "请填写取消原因")
        return redirect(back)
    return act(request, lambda: services.cancel_activity(activity, actor=request.user, reason=form.cleaned_data["reason"]),
               "活动已取消，已报名的志愿者名额已释放", back)


def _record_back(record):
    if record.activity_id:
        return reverse("volunteers:activity_detail", args=[record.activity_id])
    return reverse("volunteers:help_detail", args=[record.help_request_id])


@require_POST
@role_required(Role.COMPANY)
def record_confirm(request, pk):
    record = get_in_scope(Record.objects.visible_to(request.user), pk)
    form = forms.ConfirmForm(request.POST)
    back = _record_back(record)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(back)
    data = form.cleaned_data
    return act(request, lambda: services.confirm(record, actor=request.user, minutes=data["hours"], reason=data["reason"]),
               "服务时长已确认", back)


@require_POST
@role_required(Role.COMPANY)
def record_review(request, pk):
    record = get_in_scope(Record.objects.visible_to(request.user), pk)
    form = forms.ReviewForm(request.POST)
    back = _record_back(record)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(back)
    data = form.cleaned_data
    return act(request, lambda: services.resolve_objection(record, actor=request.user, minutes=data["hours"],
                                                           reason=data["reason"]), "异议已复核", back)


@never_cache
@require_http_methods(["GET", "POST"])
@role_required(*STAFF)
def help_list(request):
    """Help requests in scope; the company records one on a household's behalf here."""
    campaign = current_campaign(or_404=True)
    requests = (HelpRequest.objects.visible_to(request.user).filter(campaign=campaign)
                .select_related("station", "volunteer").order_by("state", "-requested_at")[:300])
    own = list(_stations(request.user).filter(company_id=request.user.company_id)) if request.user.role == Role.COMPANY else []
    form = forms.DeskHelpForm(request.POST if request.method == "POST" else None, campaign=campaign)
    status = 200
    if request.method == "POST":
        if request.user.role != Role.COMPANY:
            raise PermissionDenied("只有服务站所属的物业服务企业可以代录帮扶需求")
        status = 400
        station = next((s for s in own if str(s.pk) == request.POST.get("station")), None)
        if station is None:
            form.add_error(None, "请选择服务站")
        if form.is_valid() and station is not None:
            data = form.cleaned_data
            try:
                services.request_help(campaign, station, services.HelpForm(
                    group=data["group"], kind=data["kind"], description=data["description"], address=data["address"],
                    phone=data["phone"]), actor=request.user)
            except REFUSALS as exc:
                status = refusal_on_form(form, exc)
            else:
                messages.success(request, "帮扶需求已登记")
                return redirect("volunteers:help")
    return render(request, "volunteers/help_list.html", {
        "requests": requests, "names": _names(campaign), "form": form, "own": own,
        "is_company": request.user.role == Role.COMPANY, "chosen": request.POST.get("station", "")}, status=status)


def _help(user):
    return HelpRequest.objects.visible_to(user).select_related("station", "volunteer", "campaign")


@never_cache
@require_GET
@role_required(*STAFF)
def help_detail(request, pk):
    campaign = current_campaign(or_404=True)
    help_request = get_in_scope(_help(request.user), pk)
    record = Record.objects.filter(help_request=help_request).select_related("confirmed_by").first()
    return render(request, "volunteers/help_detail.html", {
        "help": help_request, "names": _names(campaign), "record": record, "hours": services.hours_text,
        "recorder": services.recorder_of(record) if record else "",
        "is_company": services.is_station_staff(request.user, help_request.station),
        "phone": mask_phone(help_request.phone),
        "assign_form": forms.AssignForm(volunteers=help_request.station.volunteers.all()), "call_form": forms.CallForm()})


@require_POST
@role_required(Role.COMPANY)
def help_assign(request, pk):
    help_request = get_in_scope(_help(request.user), pk)
    form = forms.AssignForm(request.POST, volunteers=help_request.station.volunteers.all())
    back = reverse("volunteers:help_detail", args=[help_request.pk])
    if not form.is_valid():
        messages.error(request, "请选择志愿者")
        return redirect(back)
    volunteer = Volunteer.objects.get(pk=int(form.cleaned_data["volunteer"]))
    return act(request, lambda: services.take_help(help_request, volunteer, actor=request.user),
               f"已安排 {volunteer.name}", back)


@require_POST
@role_required(Role.COMPANY)
def help_call(request, pk):
    help_request = get_in_scope(_help(request.user), pk)
    form = forms.CallForm(request.POST)
    back = reverse("volunteers:help_detail", args=[help_request.pk])
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect(back)
    data = form.cleaned_data
    return act(request, lambda: services.confirm_help(help_request, actor=request.user, minutes=data["hours"],
                                                      note=data["note"]), "已记录电话回访，服务已办结", back)


@require_GET
@role_required(*STAFF)
def figures(request):
    campaign = current_campaign(or_404=True)
    data = services.figures(campaign, _stations(request.user))
    return render(request, "volunteers/figures.html", {**data, "hours": services.hours_text})


@require_GET
@role_required(*STAFF)
def export(request):
    """The confirmed records in scope with the national record's fields (.xlsx)."""
    campaign = current_campaign(or_404=True)
    records = Record.objects.visible_to(request.user).filter(campaign=campaign)
    return exports.records_response(records, campaign, request.user)
