"""Each application as its seed form (附件1/2/3): PDF for printing 一式三份 and stamping,
and .docx for those who edit in Word. Both carry the same rows."""

import base64
import io

from django.template.loader import render_to_string
from django.utils import timezone

from wenming.awards.models import Attachment
from wenming.core.pdf import pdf_available
from wenming.core.validators import mask_phone
from wenming.registry.models import Post

SEAL_LINE = "签章：                        年    月    日"


class PrintUnavailable(Exception):
    """The server lacks what PDF rendering needs (Debian pango, fonts-noto-cjk)."""


def title(application):
    campaign = application.campaign
    return f"{campaign.year}年度{campaign.city}“{application.award.name}”申报表"


def _opinion(application, stage):
    opinion = application.opinions.filter(stage=stage, decision__in=["approve", "confirm"]).last()
    return opinion.text if opinion else ""


def rows(application):
    """(label, value) rows in the order of the seed form."""
    a = application
    if a.award.subject == "community":
        c = a.community
        return [
            ("小区全称", a.full_name),
            ("所属区", str(a.district)),
            ("小区地址", c.address),
            ("物业服务企业", str(a.company)),
            ("竣工日期", c.completed_on.isoformat() if c.completed_on else ""),
            ("总户数 / 入住户数 / 入住率", f"{c.total_households} / {c.occupied_households} / {c.occupancy_percent}%"),
            ("业主委员会", c.owners_committee or "未成立"),
            ("基本信息", a.basic_info),
            ("管理服务情况", a.narrative),
            ("申报小区管理服务单位意见", (a.applicant_opinion or _opinion(a, "company")) + "\n" + SEAL_LINE),
            ("属地区物业管理主管部门意见", _opinion(a, "district") + "\n" + SEAL_LINE),
        ]
    s = a.staff
    common = [("姓名", a.full_name), ("服务企业", str(a.company)), ("服务小区", str(s.community or "")),
              ("联系电话", mask_phone(s.phone)), ("从事物业管理工作起始日期", s.entered_trade_on.isoformat())]
    if a.award.key == "model_manager":
        return [*common, ("管理小区", str(s.community or "")), ("职务", a.position), ("邮编", a.postcode),
                ("以往获奖情况（含管理小区获奖情况）", a.past_awards),
                ("2018—2019 年个人主要业绩材料", a.narrative),
                ("所在单位意见", (a.applicant_opinion or _opinion(a, "company")) + "\n" + SEAL_LINE)]
    posts = a.award.eligibility.get("posts") or []
    ticks = "　".join(("☑" if p == a.post else "□") + Post(p).label for p in posts)
    return [*common, ("申报类型（每人限报一项）", ticks), ("2018—2019 年个人主要业绩材料", a.narrative),
            ("所在单位意见", (a.applicant_opinion or _opinion(a, "company")) + "\n" + SEAL_LINE)]


def _portrait_data_uri(application):
    portrait = application.attachments.filter(kind=Attachment.Kind.PORTRAIT).first()
    if portrait is None:
        return ""
    with portrait.file.open("rb") as fh:
        return "data:image/jpeg;base64," + base64.b64encode(fh.read()).decode()


def appendix_number(application):
    return list(application.campaign.awards.values_list("pk", flat=True)).index(application.award_id) + 1


def render_pdf(application):
    if not pdf_available():
        raise PrintUnavailable("服务器未安装 PDF 排版组件或中文字体（pango、fonts-noto-cjk），请先下载 Word 版打印")
    from weasyprint import HTML

    html = render_to_string("awards/print/form.html", {
        "application": application, "title": title(application), "rows": rows(application),
        "appendix": appendix_number(application), "portrait": _portrait_data_uri(application),
        "printed_at": timezone.localtime(), "copies": application.award.paper_copies,
    })
    # base_url=None and only data: images: the renderer fetches nothing.
    return HTML(string=html, base_url=None).write_pdf()


def render_docx(application):
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    document.add_paragraph(f"附件{appendix_number(application)}")
    heading = document.add_paragraph()
    run = heading.add_run(title(application))
    run.bold = True
    run.font.size = Pt(16)
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows(application):
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = value or ""
    document.add_paragraph(f"（一式 {application.award.paper_copies} 份，并附电子版）申报编号：{application.pk}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
