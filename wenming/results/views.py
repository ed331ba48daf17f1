"""Results pages: the office computes, previews, confirms and publishes per award; the public
sees published sheets; Excel export of a run."""

import json

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wenming.awards.models import Showcase
from wenming.campaigns import clock
from wenming.campaigns.models import AwardCategory
from wenming.campaigns.services import current_campaign
from wenming.core.access import get_in_scope, is_office, role_required
from wenming.core.excel import workbook_response
from wenming.core.identity.phone_step import phone_step
from wenming.core.pages import REFUSALS, act, post_action, refusal_on_form
from wenming.core.pdf import pdf_available
from wenming.core.roles import Role
from wenming.core.share import share_page
from wenming.core.uploads import UploadRejected
from wenming.results import exports, services
from wenming.results.forms import DecisionForm, MatchingForm, ObjectionForm, OpinionForm, PublishForm
from wenming.results.models import Honour, Matching, Objection, Run

SOURCE_NAMES = {"survey": "入户调查", "vote": "投票", "expert": "专家评审"}


def _sheets(run):
    sheets = json.loads(run.body)
    for s in sheets:
        for p in s["parts"]:
            p["name"] = SOURCE_NAMES.get(p["source"], p["source"])
    return sheets


@require_GET
@role_required(Role.OFFICE)
def office(request):
    campaign = current_campaign(or_404=True)
    awards = []
    for award in AwardCategory.objects.filter(campaign=campaign):
        run = Run.objects.filter(award=award).prefetch_related("confirmations__member").first()
        current = services.published(campaign, award.key)
        awards.append({"award": award, "run": run, "sheets": _sheets(run) if run else [],
                       "quorum": services.quorum(campaign, award), "tally": services.tally(run) if run else (0, 0),
                       "corrects": current if run and current and current.pk != run.pk else None,
                       "upheld": Objection.objects.filter(run__award=award, state=Objection.State.UPHELD,
                                                          corrected_by__isnull=True),
                       "blockers": services.blockers(campaign, award)})
    return render(request, "results/office.html", {"awards": awards})


@require_POST
@role_required(Role.OFFICE)
def compute(request, award_pk):
    campaign = current_campaign(or_404=True)
    award = get_in_scope(AwardCategory.objects.filter(campaign=campaign), award_pk)
    return act(request, lambda: services.compute(campaign, award, request.user),
               f"{award.name} 已计算，请预览后由评委会确认", reverse("results:office"))


@require_GET
@role_required(Role.EXPERT)
def committee(request):
    """A committee member's results to give an opinion on: the latest run of each award whose
    committee they sit on (seed 五: 经评选委员会研究确定)."""
    campaign = current_campaign(or_404=True)
    items = []
    for award in AwardCategory.objects.filter(campaign=campaign):
        if not services.committee(campaign, award).filter(pk=request.user.pk).exists():
            continue
        run = Run.objects.filter(award=award).prefetch_related("confirmations__member").first()
        mine = run.confirmations.filter(member=request.user).first() if run else None
        items.append({"award": award, "run": run, "mine": mine, "sheets": _sheets(run) if run else [],
                      "quorum": services.quorum(campaign, award), "tally": services.tally(run) if run else (0, 0),
                      "form": OpinionForm(auto_id=f"id_%s_{run.pk}" if run else "id_%s")})
    return render(request, "results/committee.html", {"items": items})


@require_POST
@role_required(Role.EXPERT)
def opinion(request, pk):
    campaign = current_campaign(or_404=True)
    run = get_in_scope(Run.objects.filter(campaign=campaign), pk)
    return post_action(request, OpinionForm(request.POST), reverse("results:committee"),
                       lambda data: services.confirm(campaign, run, request.user, data["decision"] == "agree",
                                                     data["opinion"]),
                       lambda run: "您的意见已记录" + ("，本奖项结果已经委员会确认" if run.state == Run.State.CONFIRMED else ""))


@require_POST
@role_required(Role.OFFICE)
def publish(request, pk):
    campaign = current_campaign(or_404=True)
    run = get_in_scope(Run.objects.filter(campaign=campaign), pk)
    return post_action(request, PublishForm(request.POST), reverse("results:office"),
                       lambda data: services.publish(campaign, run, request.user, data["reason"]),
                       lambda run: "更正后的结果已公布，原结果保留在更正记录中" if run.supersedes_id else "结果已公布")


@require_GET
@role_required(Role.OFFICE)
def export(request, pk):
    campaign = current_campaign(or_404=True)
    run = get_in_scope(Run.objects.filter(campaign=campaign), pk)
    return workbook_response(f"{run.award.name}评选结果.xlsx", exports.run_tables(run), campaign=campaign,
                             user=request.user)


@require_GET
@role_required(Role.OFFICE, Role.DISTRICT)
def matching(request):
    """Honours and each district's 1:1 matching commendation (a district sees its own)."""
    campaign = current_campaign(or_404=True)
    current = {"run__campaign": campaign, "run__state": Run.State.PUBLISHED}
    rows = Matching.objects.filter(**current).select_related("district", "run__award", "done_by")
    honours = Honour.objects.filter(**current).select_related("candidate", "district", "run__award")
    if not is_office(request.user):
        rows, honours = rows.filter(district_id=request.user.district_id), honours.filter(
            district_id=request.user.district_id)
    return render(request, "results/matching.html", {"rows": rows, "honours": honours})


@require_POST
@role_required(Role.OFFICE, Role.DISTRICT)
def matching_done(request, pk):
    campaign = current_campaign(or_404=True)
    rows = Matching.objects.filter(run__campaign=campaign, run__state=Run.State.PUBLISHED)
    if not is_office(request.user):
        rows = rows.filter(district_id=request.user.district_id)
    item = get_in_scope(rows, pk)
    return post_action(request, MatchingForm(request.POST), reverse("results:matching"),
                       lambda data: services.complete_matching(item, request.user, data["document"]), "已登记完成")


@require_GET
@role_required(Role.OFFICE, Role.DISTRICT)
def certificate(request, pk):
    """A winner's certificate (荣誉证书) as PDF, with the award, rank and the campaign's name."""
    campaign = current_campaign(or_404=True)
    honours = Honour.objects.filter(run__campaign=campaign, run__state=Run.State.PUBLISHED)
    if not is_office(request.user):
        honours = honours.filter(district_id=request.user.district_id)
    honour = get_in_scope(honours.select_related("candidate", "run__award"), pk)
    if not pdf_available():
        return render(request, "core/refused.html", {
            "message": "服务器未安装 PDF 排版组件或中文字体（pango、fonts-noto-cjk）", "back": reverse("results:matching")},
                      status=503)
    from django.template.loader import render_to_string
    from weasyprint import HTML

    html = render_to_string("results/certificate.html", {"honour": honour, "campaign": campaign})
    response = HttpResponse(HTML(string=html, base_url=None).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"荣誉证书-{honour.pk}.pdf")
    return response


@share_page
@require_GET
def public(request):
    campaign = current_campaign(or_404=True)
    items = []
    for award in AwardCategory.objects.filter(campaign=campaign):
        run = services.published(campaign, award.key)
        window = services.objection_window(campaign, run) if run else None
        items.append({"award": award, "run": run, "sheets": _sheets(run) if run else [],
                      "objections_close": clock.display_end(window[1], campaign.tz) if window else "",
                      "objections_open": services.objections_open(campaign, run),
                      "objections": list(services.public_objections(campaign, award)),
                      "history": [{"run": old, "sheets": _sheets(old)} for old in services.history(campaign, award)]})
    return render(request, "results/public.html", {
        "items": items, "any_published": any(i["run"] for i in items),
        "share_url": request.build_absolute_uri(reverse("results:public")),
        "share_desc": f"{campaign.name}：文明示范小区、最美物业人、创文优秀物管小区负责人评选结果"})


# --- 公示异议 --------------------------------------------------------------------------------------

def _published_run_or_404(campaign, pk):
    return get_in_scope(Run.objects.filter(campaign=campaign, state__in=[Run.State.PUBLISHED, Run.State.SUPERSEDED])
                        .select_related("award"), pk)


@require_http_methods(["GET", "POST"])
def objection_new(request, pk):
    """A resident (after the phone check) or a property company's user objects to a published
    result during its publicity period; other staff roles may not (403)."""
    campaign = current_campaign(or_404=True)
    run = _published_run_or_404(campaign, pk)
    closes = clock.display_end(services.objection_window(campaign, run)[1], campaign.tz)
    if not services.objections_open(campaign, run):  # said to anyone, before asking for a phone
        return render(request, "results/objection_new.html", {"run": run, "closes": closes, "open": False},
                      status=409 if request.method == "POST" else 200)
    resident = None
    if request.user.is_authenticated:
        if request.user.role != Role.COMPANY:
            raise PermissionDenied("只有物业服务企业账号或经手机验证的居民可以提出异议")
    else:
        resident, response = phone_step(request, campaign, "objection", heading=f"对{run.award.name}评选结果提出异议：验证手机号")
        if response is not None:
            return response
    sheets = json.loads(run.body)
    posted = request.method == "POST" and request.POST.get("step") == "object"
    form = ObjectionForm(request.POST if posted else None, request.FILES if posted else None, sheets=sheets)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            candidate = (Showcase.objects.filter(pk=data["candidate"]).first() if data["candidate"] else None)
            try:
                objection = services.file_objection(
                    campaign, run, name=data["name"], reason=data["reason"], candidate=candidate, resident=resident,
                    actor=request.user if request.user.is_authenticated else None, evidence=data["evidence"])
            except REFUSALS as exc:
                status = refusal_on_form(form, exc, field="evidence" if isinstance(exc, UploadRejected) else None)
            else:
                return render(request, "results/objection_done.html", {"objection": objection, "closes": closes})
    return render(request, "results/objection_new.html", {"form": form, "run": run, "closes": closes, "open": True},
                  status=status)


@require_GET
@role_required(Role.OFFICE)
def objections(request):
    campaign = current_campaign(or_404=True)
    rows = (Objection.objects.filter(run__campaign=campaign).select_related("run__award", "candidate", "company",
                                                                         "decided_by", "corrected_by"))
    return render(request, "results/objections.html", {"rows": rows, "form": DecisionForm()})


@require_POST
@role_required(Role.OFFICE)
def objection_decide(request, pk):
    campaign = current_campaign(or_404=True)
    objection = get_in_scope(Objection.objects.filter(run__campaign=campaign), pk)
    return post_action(request, DecisionForm(request.POST), reverse("results:objections"),
                       lambda data: services.decide_objection(campaign, objection, request.user,
                                                              upheld=data["decision"] == "upheld", answer=data["answer"]),
                       lambda o: f"{o}已处理：{o.get_state_display()}" + (
                           "。请核实后重新计算，经委员会确认后更正公布" if o.state == Objection.State.UPHELD else ""))


@require_POST
@role_required(Role.OFFICE)
def bundle_build(request):
    campaign = current_campaign(or_404=True)
    return act(request, lambda: services.build_bundle(campaign, request.user),
               lambda path: f"核验数据包已生成（{path.stat().st_size // 1024 + 1} KB）", reverse("results:office"))


@require_GET
def bundle_download(request):
    """The latest checkers' bundle, to anyone (published data only)."""
    from wenming.results.bundle import BUNDLE_NAME, bundle_path

    path = bundle_path()
    if not path.is_file():
        raise Http404("核验数据包尚未生成")
    response = FileResponse(path.open("rb"), as_attachment=True, filename=BUNDLE_NAME, content_type="application/zip")
    response["Cache-Control"] = "public, max-age=300"
    return response
