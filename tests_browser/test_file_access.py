"""Photos at phone size: inspection, rectification-evidence and expert on-site photos load on
their pages for those allowed (through the access-checked file view), and the same file
address gives 404 to another company or another expert."""

import pytest

from wenming.core.models import User
from wenming.judging.models import SheetPhoto
from wenming.supervision.models import RectificationOrder
from wenming.testing.browser import demo_site, log_in, requires_chromium

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]
PHOTOS = "main .photos img"


def photos_load(page):
    """Every photo of the page is fetched (lazy ones scrolled to) and decoded: naturalWidth > 0.
    Returns their addresses."""
    images = page.locator(PHOTOS)
    count = images.count()
    assert count, "the page shows no photo"
    for i in range(count):
        images.nth(i).scroll_into_view_if_needed()
    page.wait_for_function(f"[...document.querySelectorAll('{PHOTOS}')].every(i => i.complete)")
    widths = page.evaluate(f"[...document.querySelectorAll('{PHOTOS}')].map(i => i.naturalWidth)")
    assert all(w > 0 for w in widths), widths
    srcs = page.evaluate(f"[...document.querySelectorAll('{PHOTOS}')].map(i => i.getAttribute('src'))")
    assert all(src.startswith("/files/") for src in srcs)
    return srcs


def sign_in(page, username):
    page.context.clear_cookies()  # the previous person leaves
    log_in(page, username)


def refused(page, src):
    response = page.goto(src)
    assert response.status == 404
    assert "image" not in (response.headers.get("content-type") or "")


def test_inspection_and_evidence_photos_load_for_the_company_and_district_and_not_for_another(phone, settings):
    demo_site(settings, "voting", with_awards=False)
    company1 = User.objects.get(username="company1")
    order = RectificationOrder.objects.filter(company=company1.company, evidence__photos__isnull=False).first()
    assert order.district.name == "海州区"

    sign_in(phone, "company1")
    phone.goto(f"/supervision/orders/{order.pk}/")
    srcs = photos_load(phone)
    assert len(srcs) >= 2  # the problem photo and the rectification photo
    assert phone.locator("img[alt=整改照片]").count() >= 1
    phone.shot("order-photos-company")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    sign_in(phone, "haizhou")
    phone.goto(f"/supervision/inspections/{order.finding.inspection_id}/report/")
    report_srcs = photos_load(phone)
    phone.shot("report-photos-district")
    phone.goto(f"/supervision/orders/{order.pk}/")
    photos_load(phone)

    sign_in(phone, "company2")  # another company
    for src in srcs + report_srcs[:1]:
        refused(phone, src)
    phone.shot("photo-refused-other-company")
    sign_in(phone, "lianyun")  # another district
    refused(phone, srcs[0])


def test_an_expert_s_photos_load_for_that_expert_and_not_for_another(phone, settings):
    demo_site(settings, "expert")
    photo = SheetPhoto.objects.select_related("sheet__assignment__expert__user").filter(
        sheet__assignment__expert__user__username="expert2").first()
    assignment = photo.sheet.assignment
    sign_in(phone, "expert2")
    phone.goto(f"/judging/{assignment.pk}/")
    srcs = photos_load(phone)
    phone.shot("sheet-photos-expert")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    sign_in(phone, "expert3")
    refused(phone, srcs[0])
    phone.shot("photo-refused-other-expert")
    phone.context.clear_cookies()  # and the public
    refused(phone, srcs[0])
