"""Inspection and rectification-evidence photos load for the office, the district bureau of
the record and the company it concerns, through the file view; anyone else gets 404."""

import re

import pytest
from django.urls import reverse

from wenming.core.uploads import clean_image
from wenming.supervision import services
from wenming.supervision.models import Photo, RectificationOrder
from wenming.supervision.tests.test_views import jpeg

pytestmark = pytest.mark.django_db


def photo():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return clean_image(SimpleUploadedFile("p.jpg", jpeg().read()), max_bytes=1048576).content


@pytest.fixture
def order(campaign, world, haizhou_officer, company_a, at):
    at("2019-09-09 10:00 +0800")
    inspection = services.start_inspection(campaign, haizhou_officer, world.community_a, "regular")
    services.save_finding(campaign, inspection, haizhou_officer, "EN1", passed=False, severity="major",
                          note="草坪内有烟头", photos=[photo()])
    services.submit_inspection(campaign, inspection, haizhou_officer, confirm_incomplete=True)
    order = RectificationOrder.objects.get(finding__inspection=inspection)
    services.start_rectifying(order, company_a)
    services.save_evidence(order, company_a, text="已清理", photos=[photo()])
    return order


def img_srcs(html):
    return re.findall(r'<img src="([^"]+)"', html)


def test_the_order_page_shows_both_photos_and_they_load_for_those_allowed(client, order, office, haizhou_officer,
                                                                         company_a):
    for viewer in (company_a, haizhou_officer, office):
        client.force_login(viewer)
        page = client.get(reverse("supervision:order", args=[order.pk])).text
        srcs = img_srcs(page)
        assert len(srcs) == 2 and all(src.startswith("/files/") for src in srcs)
        for src in srcs:
            response = client.get(src)
            assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
            assert response["Cache-Control"] == "private, no-store"
            assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"


def test_the_report_shows_the_finding_photo(client, order, haizhou_officer):
    client.force_login(haizhou_officer)
    inspection = order.finding.inspection
    srcs = img_srcs(client.get(reverse("supervision:report", args=[inspection.pk])).text)
    assert len(srcs) == 1 and client.get(srcs[0]).status_code == 200


def test_another_district_another_company_an_expert_and_the_public_get_404(client, order, lianyun_officer,
                                                                         company_b, expert):
    urls = [p.url for p in Photo.objects.all()]
    assert len(urls) == 2
    for viewer in (lianyun_officer, company_b, expert, None):
        if viewer is None:
            client.logout()
        else:
            client.force_login(viewer)
        for url in urls:
            assert client.get(url).status_code == 404


def test_the_stored_path_is_not_served_under_media(client, order, company_a):
    client.force_login(company_a)
    assert client.get("/media/" + Photo.objects.first().image.name).status_code == 404


def test_a_self_inspection_photo_is_the_company_s_and_its_district_s(client, campaign, world, company_a, company_b,
                                                                     haizhou_officer, at):
    at("2019-09-09 10:00 +0800")
    check = services.start_inspection(campaign, company_a, world.community_a, "self")
    services.save_finding(campaign, check, company_a, "EN3", passed=False, note="分类桶破损", photos=[photo()])
    url = Photo.objects.get(finding__inspection=check).url
    client.force_login(company_a)
    assert client.get(url).status_code == 200
    client.force_login(haizhou_officer)
    assert client.get(url).status_code == 200
    client.force_login(company_b)
    assert client.get(url).status_code == 404

