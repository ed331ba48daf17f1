"""Complaint pages: the resident's filing (from the community's QR poster) and own tickets, the
company's handling, the district's escalations and repeats, 12345 imports and the rates."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wenming.campaigns.services import current_campaign
from wenming.complaints import exports, services
from wenming.complaints.forms import (
    AnswerForm,
    DeskFilingForm,
    FilingForm,
    FollowUpForm,
    HotlineImportForm,
    NoteForm,
    RatesFilterForm,
    ReceiveForm,
    RepeatDecisionForm,
    TicketFilterForm,
    UpdateForm,
)
from wenming.complaints.models import RepeatFlag, State, Ticket
from wenming.core import kept_uploads
from wenming.core.access import get_in_scope, role_required
from wenming.core.errors import Conflict
from wenming.core.excel import workbook_response
from wenming.core.identity.phone_step import phone_step
from wenming.core.pages import REFUSALS, act, refusal_on_form, refused
from wenming.core.posters import qr_poster
from wenming.core.roles import Role
from wenming.core.validators import mask_phone
from wenming.registry.models import District

STAFF = (Role.OFFICE, Role.DISTRICT, Role.COMPANY)





def _category_names(campaign):
    return {key: c.name for key, c in services.categories(campaign).items()}


def _urgency_names(campaign):
    return {key: u.name for key, u in services.urgencies(campaign).items()}


def _resident(request, campaign, heading):
    """(resident, None) once the phone is verified, else (None, the phone step's page)."""
    return phone_step(request, campaign, "complaint", heading=heading,
                      intro="验证手机号后提交；处理进度和回访可在“我的投诉”中查看。")


# --- residents ------------------------------------------------------------------------------------

@never_cache
@require_http_methods(["GET", "POST"])
def file(request, pk):
    """The page behind the community's QR poster: file a complaint, or add to the same one
    filed within the day (offered instead of a second ticket)."""
    campaign = current_campaign(or_404=True)
    community = get_in_scope(services.complaint_communities(campaign).select_related("district"), pk)
    resident, response = _resident(request, campaign, f"{community.name} · 投诉与报修")
    if response is not None:
        return response
    step = request.POST.get("step") if request.method == "POST" else None
    owner = kept_uploads.owner_of(request)
    form = FilingForm(request.POST if step else None, request.FILES if step else None, campaign=campaign, owner=owner)
    status, repeat = 200, None
    if step:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            repeat = services.open_repeat(campaign, resident, community, data["category"])
            try:
                if repeat is not None and step == "update":
                    services.add_update(repeat, data["description"], resident=resident, photos=form.photos.files())
                    form.photos.saved()
                    messages.success(request, f"已补充到投诉 {repeat.number}")
                    return redirect("complaints:mine_detail", repeat.number)
                if repeat is None or step == "new":
                    ticket = services.file_ticket(campaign, services.Filing(
                        community=community, category=data["category"], urgency=data["urgency"],
                        description=data["description"], location=data["location"], household=data["household"],
                        phone=resident.phone), source="resident", resident=resident, photos=form.photos.files())
                    form.photos.saved()
                    messages.success(request, f"投诉已提交，编号 {ticket.number}。物业服务企业将在时限内接待处理。")
                    return redirect("complaints:mine_detail", ticket.number)
                status = 200  # the same complaint today: offer to add to it
            except REFUSALS as exc:
                status = refusal_on_form(form, exc)
        form.photos.keep()
    return render(request, "complaints/file.html", {
        "campaign": campaign, "community": community, "form": form, "repeat": repeat, "kept": form.photos.tokens,
        "limits": {key: services.limits_in_words(campaign, key) for key in _urgency_names(campaign)},
        "urgency_names": _urgency_names(campaign)}, status=status)


@require_GET
def poster(request, pk):
    """The printable QR poster for the community's 物业服务中心."""
    campaign = current_campaign(or_404=True)
    community = get_in_scope(services.complaint_communities(campaign), pk)
    url = request.build_absolute_uri(reverse("complaints:file", args=[community.pk]))
    png = qr_poster(url, theme=campaign.theme or campaign.name, kicker="投诉与报修", title=community.name,
                    subtitle="有接待 · 有处理 · 有反馈 · 有回访", call="微信扫码，验证手机号后提交",
                    organiser=campaign.organiser)
    response = HttpResponse(png, content_type="image/png")
    response["Content-Disposition"] = content_disposition_header(False, f"投诉海报-{community.pk}.png")
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def mine(request):
    campaign = current_campaign(or_404=True)
    resident, response = _resident(request, campaign, "我的投诉：验证手机号")
    if response is not None:
        return response
    tickets = Ticket.objects.filter(resident=resident).select_related("community")
    return render(request, "complaints/mine.html", {"tickets": tickets, "categories": _category_names(campaign)})


def _timeline(ticket, *, public_only):
    events = ticket.events.select_related("actor").prefetch_related("photos")
    return [e for e in events if e.public] if public_only else list(events)


@never_cache
@require_http_methods(["GET", "POST"])
def mine_detail(request, number):
    """A resident's own ticket: its timeline, the reply, and the return visit once answered."""
    campaign = current_campaign(or_404=True)
    resident, response = _resident(request, campaign, "我的投诉：验证手机号")
    if response is not None:
        return response
    ticket = Ticket.objects.filter(resident=resident, number=number).select_related("community").first()
    if ticket is None:
        raise Http404
    can_follow_up = services.who_may_follow_up(ticket, resident=resident) is not None
    posted = request.method == "POST"
    follow = FollowUpForm(request.POST if posted and request.POST.get("step") == "follow_up" else None,
                          by=services.FollowUpBy.RESIDENT)
    update = UpdateForm(request.POST if posted and request.POST.get("step") == "update" else None)
    status = 200
    if posted:
        status = 400
        if follow.is_bound and follow.is_valid():
            data = follow.cleaned_data
            try:
                services.follow_up(ticket, fixed=data["fixed"], satisfaction=data["satisfaction"], resident=resident)
            except REFUSALS as exc:
                status = refusal_on_form(follow, exc)
            else:
                messages.success(request, "感谢您的回访答复" if data["fixed"] else "已退回物业服务企业重新办理，请留意处理进度")
                return redirect("complaints:mine_detail", ticket.number)
        elif update.is_bound and update.is_valid():
            try:
                services.add_update(ticket, update.cleaned_data["description"], resident=resident)
            except REFUSALS as exc:
                status = refusal_on_form(update, exc)
            else:
                messages.success(request, "补充情况已送达物业服务企业")
                return redirect("complaints:mine_detail", ticket.number)
    return render(request, "complaints/mine_detail.html", {
        "ticket": ticket, "events": _timeline(ticket, public_only=True), "categories": _category_names(campaign),
        "follow": follow, "update": update, "can_follow_up": can_follow_up, "steps_named": services.STEP_NAMES}, status=status)


@require_GET
def community_public(request, pk):
    """A community's complaint figures for the campaign: counts and rates, never any text."""
    campaign = current_campaign(or_404=True)
    community = get_in_scope(services.complaint_communities(campaign).select_related("district", "company"), pk)
    tickets = Ticket.objects.filter(campaign=campaign, community=community)
    return render(request, "complaints/community.html", {
        "community": community, "rates": services.rates(tickets), "total": tickets.count(),
        "open": tickets.filter(state__in=services.OPEN_STATES).count()})


# --- staff ------------------------------------------------------------------------------------------

def _visible(user, campaign):
    return Ticket.objects.visible_to(user).filter(campaign=campaign)


@require_GET
@role_required(*STAFF)
def tickets(request):
    campaign = current_campaign(or_404=True)
    queryset = _visible(request.user, campaign).select_related("community", "company", "district", "handler")
    filters = TicketFilterForm(request.GET, states=State.choices)
    data = filters.cleaned_data if filters.is_valid() else {"state": "", "late": "", "format": ""}
    if data["state"]:
        queryset = queryset.filter(state=data["state"])
    now = timezone.now()
    if data["late"] == "overdue":
        queryset = queryset.filter(services.late(now))
    elif data["late"] == "escalated":
        queryset = services.escalated(queryset)
    names, levels = _category_names(campaign), _urgency_names(campaign)
    if data["format"] == "xlsx":
        return workbook_response("投诉.xlsx", [exports.tickets_table(queryset, campaign, names, levels)],
                                 campaign=campaign, user=request.user)
    ordered = services.by_next_due(queryset)[:500]
    return render(request, "complaints/list.html", {
        "tickets": [(t, t.next_due_at, services.overdue(t, now)) for t in ordered], "filters": filters,
        "categories": names, "now": now, "is_company": request.user.role == Role.COMPANY})


def _detail(request, campaign, ticket, *, forms=None, status=200, phone=None):
    user = request.user
    is_company = services.is_company_staff(user, ticket)
    owner = kept_uploads.owner_of(request)
    forms = forms or {}
    by = services.who_may_follow_up(ticket, user=user)
    context = {
        "ticket": ticket, "events": _timeline(ticket, public_only=False), "categories": _category_names(campaign),
        "urgencies": _urgency_names(campaign), "is_company": is_company, "phone": phone or mask_phone(ticket.phone),
        "phone_full": phone is not None, "limits": services.limits_in_words(campaign, ticket.urgency),
        "steps": services.step_table(ticket), "escalated": services.escalated(Ticket.objects.filter(pk=ticket.pk))
        .exists(),
        "receive_form": forms.get("receive") or ReceiveForm(handlers=services.handlers(ticket)),
        "note_form": forms.get("note") or NoteForm(campaign=campaign, owner=owner),
        "answer_form": forms.get("answer") or AnswerForm(campaign=campaign, owner=owner),
        "follow_form": forms.get("follow_up") or FollowUpForm(by=by),
        "can_follow_up": by is not None, "follow_up_by": by, "steps_named": services.STEP_NAMES,
    }
    for name in ("note", "answer"):
        context[f"{name}_kept"] = context[f"{name}_form"].photos.tokens
    return render(request, "complaints/detail.html", context, status=status)


@never_cache
@require_GET
@role_required(*STAFF)
def detail(request, pk):
    campaign = current_campaign(or_404=True)
    return _detail(request, campaign, get_in_scope(_visible(request.user, campaign), pk))


@never_cache
@require_POST
@role_required(Role.COMPANY)
def reveal_phone(request, pk):
    """The handling company sees the resident's phone in full (each showing is logged)."""
    campaign = current_campaign(or_404=True)
    ticket = get_in_scope(_visible(request.user, campaign), pk)
    if not services.is_company_staff(request.user, ticket):
        raise PermissionDenied("只有负责该小区的物业服务企业可以查看居民电话")
    return _detail(request, campaign, ticket, phone=services.phone_for(ticket, request.user))


@require_POST
@role_required(*STAFF)
def step(request, pk):
    """One step of the ticket (`action` = receive, start, note, answer, follow_up)."""
    campaign = current_campaign(or_404=True)
    ticket = get_in_scope(_visible(request.user, campaign), pk)
    action, user = request.POST.get("action"), request.user
    back = reverse("complaints:detail", args=[ticket.pk])
    owner = kept_uploads.owner_of(request)
    if action == "start":
        return act(request, lambda: services.start_handling(ticket, actor=user), "已开始处理", back)
    forms = {
        "receive": lambda: ReceiveForm(request.POST, handlers=services.handlers(ticket)),
        "note": lambda: NoteForm(request.POST, request.FILES, campaign=campaign, owner=owner),
        "answer": lambda: AnswerForm(request.POST, request.FILES, campaign=campaign, owner=owner),
        "follow_up": lambda: FollowUpForm(request.POST, by=services.who_may_follow_up(ticket, user=user)),
    }
    if action not in forms:
        return refused(request, Conflict("未知的操作"), back)
    form = forms[action]()
    if form.is_valid():
        data = form.cleaned_data
        calls = {
            "receive": lambda: services.receive(ticket, actor=user, handler=form.chosen()),
            "note": lambda: services.add_note(ticket, actor=user, note=data["note"], photos=form.photos.files()),
            "answer": lambda: services.answer(ticket, actor=user, text=data["answer"], photos=form.photos.files()),
            "follow_up": lambda: services.follow_up(ticket, fixed=data["fixed"], satisfaction=data["satisfaction"],
                                                    actor=user, note=data.get("note", "")),
        }
        done = {"receive": "已接待并指派经办人", "note": "处理情况已记录", "answer": "处理结果已反馈给居民",
                "follow_up": "回访已记录"}
        try:
            calls[action]()
        except REFUSALS as exc:
            status = refusal_on_form(form, exc)
        else:
            if hasattr(form, "photos"):
                form.photos.saved()
            messages.success(request, done[action])
            return redirect(back)
    else:
        status = 400
    if hasattr(form, "photos"):
        form.photos.keep()
    ticket.refresh_from_db()
    return _detail(request, campaign, ticket, forms={action: form}, status=status)


@require_http_methods(["GET", "POST"])
@role_required(Role.COMPANY)
def desk(request):
    """The service desk logs a complaint taken by phone or in person, for a resident."""
    campaign = current_campaign(or_404=True)
    communities = services.complaint_communities(campaign).filter(company_id=request.user.company_id)
    owner = kept_uploads.owner_of(request)
    posted = request.method == "POST"
    form = DeskFilingForm(request.POST if posted else None, request.FILES if posted else None, campaign=campaign,
                          owner=owner, communities=communities)
    status = 200
    if posted:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            community = communities.get(pk=data["community"])
            try:
                ticket = services.file_ticket(campaign, services.Filing(
                    community=community, category=data["category"], urgency=data["urgency"],
                    description=data["description"], location=data["location"], household=data["household"],
                    phone=data["phone"]), source="desk", actor=request.user, photos=form.photos.files())
            except REFUSALS as exc:
                status = refusal_on_form(form, exc)
            else:
                form.photos.saved()
                messages.success(request, f"已代录投诉 {ticket.number}")
                return redirect("complaints:detail", ticket.pk)
        form.photos.keep()
    return render(request, "complaints/desk.html", {"form": form, "kept": form.photos.tokens}, status=status)


@require_http_methods(["GET", "POST"])
@role_required(Role.OFFICE, Role.DISTRICT)
def hotline(request):
    """12345 work orders: import the hotline's Excel export; download the replies."""
    campaign = current_campaign(or_404=True)
    form = HotlineImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                created, skipped = services.import_hotline(campaign, form.cleaned_data["file"], actor=request.user)
            except REFUSALS as exc:
                status = refusal_on_form(form, exc, field="file")
            else:
                again = f"，{skipped} 件此前已导入，未重复导入" if skipped else ""
                messages.success(request, f"已导入 {created} 件工单{again}")
                return redirect("complaints:hotline")
    orders = _visible(request.user, campaign).filter(source="hotline")
    return render(request, "complaints/hotline.html", {
        "form": form, "orders": orders.select_related("community")[:50], "count": orders.count(),
        "headers": list(services.HOTLINE_HEADERS)}, status=status)


@require_GET
@role_required(Role.OFFICE, Role.DISTRICT)
def hotline_replies(request):
    campaign = current_campaign(or_404=True)
    rows = services.hotline_replies(_visible(request.user, campaign), campaign.tz)
    return workbook_response("12345工单办理情况.xlsx", [("办理情况", services.REPLY_HEADERS, rows)],
                             campaign=campaign, user=request.user)


@require_GET
@role_required(Role.OFFICE, Role.DISTRICT)
def repeats(request):
    campaign = current_campaign(or_404=True)
    flags = RepeatFlag.objects.visible_to(request.user).filter(campaign=campaign).select_related("community")
    return render(request, "complaints/repeats.html", {"flags": flags, "categories": _category_names(campaign),
                                                       "within": services.spec(campaign).repeat.within_days})


@require_POST
@role_required(Role.OFFICE, Role.DISTRICT)
def repeat_decide(request, pk):
    campaign = current_campaign(or_404=True)
    flag = get_in_scope(RepeatFlag.objects.visible_to(request.user).filter(campaign=campaign), pk)
    form = RepeatDecisionForm(request.POST)
    back = reverse("complaints:repeats")
    if not form.is_valid():
        messages.error(request, "请选择是否列入督查")
        return redirect(back)
    return act(request, lambda: services.decide_repeat(flag, actor=request.user,
                                                       inspect=form.cleaned_data["decision"] == "inspect",
                                                       note=form.cleaned_data["note"]),
               "已列入督查" if form.cleaned_data["decision"] == "inspect" else "已记录不列入督查的原因", back)


@require_GET
@role_required(*STAFF)
def rates(request):
    """The four rates per district and per company over a period, counts and rules beside them."""
    campaign = current_campaign(or_404=True)
    filters = RatesFilterForm(request.GET)
    data = filters.cleaned_data if filters.is_valid() else {"start": None, "end": None, "format": ""}
    tz = campaign.tz
    start = datetime.datetime.combine(data["start"], datetime.time.min, tzinfo=tz) if data["start"] else None
    end = (datetime.datetime.combine(data["end"] + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
           if data["end"] else None)
    queryset = services.period(_visible(request.user, campaign), start, end)
    districts = {d.pk: d.name for d in District.objects.all()}
    companies = dict(queryset.values_list("company_id", "company__name").distinct())
    by_district = sorted(services.rates_by(queryset, "district_id").items(), key=lambda kv: districts.get(kv[0], ""))
    by_company = sorted(services.rates_by(queryset, "company_id").items(), key=lambda kv: companies.get(kv[0], ""))
    overall = services.rates(queryset)
    if data["format"] == "xlsx":
        headers = ["范围", "名称"] + [f"{r.name}（%，{r.rule}）" for r in overall] + ["件数说明"]
        def row(kind, name, figures):  # the rates as numbers (rounded as the page shows them), blank when none count
            return [kind, name] + [float(r.percent.rstrip("%")) if r.denominator else None for r in figures] + [
                "；".join(f"{r.name} {r.numerator}/{r.denominator}" for r in figures)]
        rows = [row("全部", "合计", overall)]
        rows += [row("区", districts.get(pk, ""), figures) for pk, figures in by_district]
        rows += [row("企业", companies.get(pk, ""), figures) for pk, figures in by_company]
        return workbook_response("投诉办理四率.xlsx", [("四率", headers, rows)], campaign=campaign, user=request.user)
    return render(request, "complaints/rates.html", {
        "filters": filters, "overall": overall, "rules": services.RATE_RULES.values(),
        "by_district": [(districts.get(pk, ""), figures) for pk, figures in by_district],
        "by_company": [(companies.get(pk, ""), figures) for pk, figures in by_company]})
