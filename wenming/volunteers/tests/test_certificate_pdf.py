import io

import time_machine
from django.urls import reverse
from pypdf import PdfReader

from wenming.awards.tests.test_printing import requires_pdf
from wenming.volunteers import services
from wenming.volunteers.tests.test_pages import resident_client


@requires_pdf
def test_the_certificate_pdf_holds_the_number_the_totals_the_issuer_and_the_seal(campaign, company_a, served,
                                                                                 volunteer, person, station):
    with time_machine.travel("2019-11-26 12:00 +0800", tick=False):
        services.confirm(served, actor=company_a)
        certificate = services.issue_certificate(campaign, volunteer, resident=person)
    response = resident_client(person.phone).get(reverse("volunteers:certificate_pdf", args=[certificate.number]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).replace("\n", "")
    for expected in ("志愿服务记录证明", certificate.number, "张小明", "1.5", station.name, station.company.name,
                     "（盖章）", "2019年11月26日"):
        assert expected in text.replace(" ", ""), expected


def test_without_the_pdf_pieces_the_certificate_says_so(campaign, company_a, served, volunteer, person, monkeypatch):
    with time_machine.travel("2019-11-26 12:00 +0800", tick=False):
        services.confirm(served, actor=company_a)
        certificate = services.issue_certificate(campaign, volunteer, resident=person)
    monkeypatch.setattr("wenming.volunteers.views.pdf_available", lambda: False)
    response = resident_client(person.phone).get(reverse("volunteers:certificate_pdf", args=[certificate.number]))
    assert response.status_code == 503 and "请使用网页版打印" in response.content.decode()
