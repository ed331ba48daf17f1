import io

import pytest
from docx import Document
from pypdf import PdfReader

from wenming.awards import printing, services
from wenming.awards.tests.conftest import fill_person, jpeg

# CI installs pango and fonts-noto-cjk (.ci/run), where a skip fails the run.
requires_pdf = pytest.mark.skipif(not printing.pdf_available(),
                                  reason="PDF needs Debian pango and fonts-noto-cjk (apt-get install fonts-noto-cjk)")


def fonts_of(reader):
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]))
            descendants = font.get("/DescendantFonts")
            for d in descendants or []:
                descriptor = d.get_object().get("/FontDescriptor")
                if descriptor is not None:
                    descriptor = descriptor.get_object()
                    assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), "font not embedded"
    return names


@requires_pdf
def test_the_community_form_pdf_holds_the_chinese_text_and_embeds_a_cjk_font(community_application):
    pdf = printing.render_pdf(community_application)
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert "2019年度连云港市“文明示范小区”申报表" in text
    assert "海州花园" in text and "属地区物业管理主管部门意见" in text
    assert "小区坚持垃圾分类定点投放" in text
    assert any("CJK" in name for name in fonts_of(reader))


@requires_pdf
def test_the_worker_form_ticks_the_post(world, company_a, worker_award, veteran, apply_time):
    application = services.start_application(worker_award.campaign, worker_award, actor=company_a,
                                             channel="company_nomination", staff=veteran)
    fill_person(application, company_a)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(printing.render_pdf(application))).pages)
    assert "最美物业人" in text and "☑保洁员" in text.replace(" ", "") and "王师傅" in text
    assert "139****0000" in text and "13912340000" not in text


def test_the_docx_holds_the_same_fields(community_application):
    document = Document(io.BytesIO(printing.render_docx(community_application)))
    cells = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert [label for label, _ in printing.rows(community_application)] == list(cells)
    assert cells["小区全称"] == "海州花园" and cells["管理服务情况"].startswith("小区坚持垃圾分类")
    assert "2019年度连云港市“文明示范小区”申报表" in "\n".join(p.text for p in document.paragraphs)


@requires_pdf
def test_print_views(client, community_application, company_a, company_b):
    from django.urls import reverse

    client.force_login(company_a)
    pdf = client.get(reverse("awards:print", args=[community_application.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    docx = client.get(reverse("awards:print", args=[community_application.pk, "docx"]))
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert client.get(reverse("awards:print", args=[community_application.pk, "exe"])).status_code == 404
    client.force_login(company_b)
    assert client.get(reverse("awards:print", args=[community_application.pk, "pdf"])).status_code == 404


@pytest.mark.parametrize("_", [1])
def test_the_signed_form_scan_is_archived_after_submission(_, client, community_application, company_a):
    from django.urls import reverse

    services.submit(community_application, actor=company_a)
    client.force_login(company_a)
    response = client.post(reverse("awards:attachment_add", args=[community_application.pk]),
                           {"kind": "signed_form", "file": jpeg("scan.jpg")})
    assert response.status_code == 302
    assert community_application.attachments.filter(kind="signed_form").count() == 1


def test_without_the_pdf_pieces_the_page_says_so(client, community_application, company_a, monkeypatch):
    from django.urls import reverse

    monkeypatch.setattr(printing, "pdf_available", lambda: False)
    client.force_login(company_a)
    response = client.get(reverse("awards:print", args=[community_application.pk, "pdf"]))
    assert response.status_code == 503 and "请先下载 Word 版打印" in response.text
