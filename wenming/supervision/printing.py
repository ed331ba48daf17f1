"""Printed supervision papers, as PDF: the inspection report (检查报告, with every photo taken,
findings and signature lines for the inspector and the company's representative) and the
约谈通知书 (to the company, from the district bureau, with the reasons, a seal box and
signature lines). Photos go in as data: URIs and the renderer gets base_url=None, so it
fetches nothing — no file address, no network."""

import base64

from django.template.loader import render_to_string
from django.utils import timezone

from wenming.core.models import AuditEntry
from wenming.core.pdf import pdf_available
from wenming.supervision import services
from wenming.supervision.models import Interview, Photo, RectificationOrder

PHOTO_LIMIT = 60  # an inspection of ~40 items, a few photos each; beyond this the report says how many are left out
UNAVAILABLE = "服务器未安装 PDF 排版组件或中文字体（pango、fonts-noto-cjk），请使用网页版打印"


class PrintUnavailable(Exception):
    """The server lacks what PDF rendering needs (Debian pango, fonts-noto-cjk)."""


def bureau(district):
    return district.bureau_name or f"{district.name}住房和城乡建设局"


def _data_uri(photo):
    """A stored photo (re-encoded JPEG, see core.uploads.clean_image) as a data: URI; "" if missing."""
    try:
        with photo.image.open("rb") as fh:
            data = fh.read()
    except (FileNotFoundError, OSError, ValueError):
        return ""
    kind = "png" if data[:4] == b"\x89PNG" else "jpeg"
    return f"data:image/{kind};base64," + base64.b64encode(data).decode()


def report_context(inspection, campaign):
    """What the report shows, on the page and in print: the checklist answered, the orders it
    issued and (print) the photos of each item."""
    items = services.checklist(campaign)
    findings = list(inspection.findings.prefetch_related("photos"))
    for f in findings:
        f.text = items.get(f.item, {}).get("text", "检查项")
        f.action_name = items.get(f.item, {}).get("action_name", f.action)
    return {"inspection": inspection, "findings": findings, "items": items,
            "failed": [f for f in findings if not f.passed],
            "orders": RectificationOrder.objects.filter(finding__inspection=inspection),
            "printed_at": timezone.localtime(timezone.now(), campaign.tz)}


def _render(template, context):
    if not pdf_available():
        raise PrintUnavailable(UNAVAILABLE)
    from weasyprint import HTML

    return HTML(string=render_to_string(template, context), base_url=None).write_pdf()


def inspection_report_pdf(inspection, campaign):
    context = report_context(inspection, campaign)
    photos, shown = [], 0
    for f in context["findings"]:
        for photo in f.photos.all():
            if shown >= PHOTO_LIMIT:
                break
            uri = _data_uri(photo)
            if uri:
                photos.append({"finding": f, "src": uri, "n": shown + 1})
                shown += 1
    total = Photo.objects.filter(finding__inspection=inspection).count()
    return _render("supervision/report_print.html", {**context, "photos": photos, "photos_left_out": total - shown})


def interview_context(interview, campaign):
    problem = interview.problem
    items = services.checklist(campaign)
    findings = [problem.first, problem.repeat]
    reasons = []
    for label, finding in zip(("首次发现", "再次发现"), findings, strict=True):
        order = RectificationOrder.objects.filter(finding=finding).first()
        reasons.append({"label": label, "finding": finding, "inspection": finding.inspection, "order": order})
    recorded = AuditEntry.objects.filter(action="supervision.interview.recorded", target_type="supervision.interview",
                                         target_id=str(interview.pk)).order_by("created_at").first()
    issued_on = timezone.localdate(recorded.created_at if recorded else timezone.now(), campaign.tz)
    return {"interview": interview, "problem": problem, "item": items.get(problem.item, {}).get("text", "检查项"),
            "reasons": reasons, "bureau": bureau(problem.district), "issued_on": issued_on,
            "held_at": timezone.localtime(interview.held_at, campaign.tz), "campaign": campaign,
            "printed_at": timezone.localtime(timezone.now(), campaign.tz)}


def interview_notice_pdf(interview: Interview, campaign):
    return _render("supervision/interview_notice.html", interview_context(interview, campaign))
