import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from wenming.awards.models import Attachment
from wenming.awards.tests.conftest import jpeg
from wenming.core import refusals
from wenming.core.models import AuditEntry
from wenming.core.uploads import UploadRejected, clean_image, clean_video
from wenming.testing.factories import set_rules


def test_gps_and_other_exif_are_removed():
    original = jpeg(gps=True)
    with Image.open(io.BytesIO(original.read())) as img:
        assert img.getexif().get_ifd(0x8825)  # the test photo really carries a location
    original.seek(0)
    clean = clean_image(original, max_bytes=10 * 1048576)
    with Image.open(io.BytesIO(clean.content.read())) as img:
        assert img.format == "JPEG"
        assert not img.getexif().get_ifd(0x8825)
        assert len(img.getexif()) == 0
    assert clean.thumbnail is not None


def test_html_named_jpg_is_refused():
    fake = SimpleUploadedFile("gate.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    with pytest.raises(UploadRejected, match="不是有效的图片") as exc:
        clean_image(fake, max_bytes=10 * 1048576)
    assert exc.value.code == "bad_upload" and refusals.page_status(exc.value) == 400


def test_a_video_is_checked_by_its_container():
    mp4 = SimpleUploadedFile("v.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
    assert clean_video(mp4, max_bytes=1048576).content_type == "video/mp4"
    with pytest.raises(UploadRejected, match="不是有效的视频"):
        clean_video(SimpleUploadedFile("v.mp4", b"MZ\x90\x00" + b"\x00" * 100), max_bytes=1048576)


def test_oversize_upload_through_the_page_is_413_and_leaves_nothing(client, community_application, company_a,
                                                                   settings):
    community_application.campaign.rule_sets.update()  # rules are data: shrink the limit for this test
    rules = community_application.campaign.rules
    rules["uploads"]["image_max_mb"] = 1
    set_rules(community_application.campaign, rules)
    before_files = sorted(p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())
    before_rows = Attachment.objects.count()
    client.force_login(company_a)
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * (1048576 + 10), content_type="image/jpeg")
    response = client.post(reverse("awards:attachment_add", args=[community_application.pk]),
                           {"kind": "gate_photo", "file": big})
    assert response.status_code == 413 and "过大" in response.text
    assert Attachment.objects.count() == before_rows
    assert sorted(p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()) == before_files
    assert not AuditEntry.objects.filter(action="awards.attachment.added", after__kind="gate_photo",
                                         created_at__gt=community_application.created_at).exclude(
        target_id=str(community_application.pk)).exists()


def test_html_named_jpg_through_the_page_is_400(client, community_application, company_a):
    client.force_login(company_a)
    count = Attachment.objects.count()
    fake = SimpleUploadedFile("gate.jpg", b"<html></html>", content_type="image/jpeg")
    response = client.post(reverse("awards:attachment_add", args=[community_application.pk]),
                           {"kind": "gate_photo", "file": fake})
    assert response.status_code == 400 and "不是有效的图片" in response.text
    assert Attachment.objects.count() == count


def test_files_get_server_names_and_are_served_only_with_access(client, community_application, company_b,
                                                               company_a):
    attachment = community_application.attachments.first()
    assert attachment.file.name.startswith("private/") and "gate" not in attachment.file.name
    url = reverse("awards:attachment_file", args=[community_application.pk, attachment.pk])
    client.force_login(company_a)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(company_b)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


# --- stamped scans may be PDF ------------------------------------------------------------------

def _pdf():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile("盖章页.pdf", out.getvalue(), content_type="application/pdf")


def test_the_district_approves_with_a_pdf_scan_and_it_downloads(client, community_application, company_a,
                                                                 haizhou_officer):
    from wenming.awards import services
    from wenming.awards.models import Opinion

    services.submit(community_application, actor=company_a)
    client.force_login(haizhou_officer)
    response = client.post(reverse("awards:opinion", args=[community_application.pk, "district"]),
                           {"decision": "approve", "text": "同意上报", "seal_scan": _pdf()})
    assert response.status_code == 302
    scan = Opinion.objects.get(application=community_application).seal_scan
    assert scan.content_type == "application/pdf" and scan.file.name.endswith(".pdf")
    page = client.get(reverse("awards:detail", args=[community_application.pk])).text
    assert "盖章页" in page
    download = client.get(reverse("awards:attachment_file", args=[community_application.pk, scan.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_a_disguised_pdf_scan_is_refused_at_its_field_and_nothing_is_written(client, community_application,
                                                                            company_a, haizhou_officer, settings):
    from wenming.awards import services
    from wenming.awards.models import Status

    services.submit(community_application, actor=company_a)
    client.force_login(haizhou_officer)
    before_files = sorted(p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())
    fake = SimpleUploadedFile("盖章页.pdf", b"%PDF-1.7\n<html><script>alert(1)</script></html>",
                              content_type="application/pdf")
    response = client.post(reverse("awards:opinion", args=[community_application.pk, "district"]),
                           {"decision": "approve", "text": "同意上报", "seal_scan": fake})
    assert response.status_code == 400
    assert '<p class="error">文件不是有效的 PDF（扫描件已损坏或并非 PDF），请重新扫描后上传</p>' in response.text
    assert "同意上报" in response.text  # the typed opinion is kept
    community_application.refresh_from_db()
    assert community_application.status == Status.DISTRICT_REVIEW and not community_application.opinions.exists()
    assert sorted(p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()) == before_files


def test_the_company_uploads_its_signed_form_as_pdf_and_a_renamed_page_is_refused(client, community_application,
                                                                                  company_a):
    client.force_login(company_a)
    url = reverse("awards:attachment_add", args=[community_application.pk])
    fake = SimpleUploadedFile("申报表.pdf", b"<html>not a scan</html>", content_type="application/pdf")
    response = client.post(url, {"kind": "signed_form", "file": fake})
    assert response.status_code == 400
    assert '<p class="error">文件不是有效的扫描件，请上传 PDF 文件或 JPG、PNG 图片</p>' in response.text
    assert not community_application.attachments.filter(kind="signed_form").exists()
    response = client.post(url, {"kind": "signed_form", "file": _pdf()})
    assert response.status_code == 302
    attachment = community_application.attachments.get(kind="signed_form")
    assert attachment.content_type == "application/pdf"
    assert "PDF 文件" in client.get(reverse("awards:detail", args=[community_application.pk])).text
