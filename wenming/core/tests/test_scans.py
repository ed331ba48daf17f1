"""Stamped scans may be PDF as well as images: a PDF is parsed before it is kept, and a
disguised file is refused in Chinese."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from wenming.core import refusals
from wenming.core.uploads import UploadRejected, check_scan, clean_scan

LIMIT = 10 * 1048576


def pdf_bytes(pages=1, password=None):
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(data, name="scan.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_real_pdf_is_kept_as_it_was_sent_under_a_server_name():
    data = pdf_bytes(2)
    clean = clean_scan(upload(data), max_bytes=LIMIT)
    assert clean.content_type == "application/pdf" and clean.thumbnail is None
    assert clean.content.read() == data and clean.content.name.endswith(".pdf")
    assert clean.content.name != "scan.pdf" and clean.size == len(data)


def test_an_image_scan_is_still_re_encoded():
    out = io.BytesIO()
    Image.new("RGB", (60, 80), (250, 250, 250)).save(out, "PNG")
    clean = clean_scan(upload(out.getvalue(), "seal.png", "image/png"), max_bytes=LIMIT)
    assert clean.content_type == "image/jpeg" and clean.thumbnail is not None


@pytest.mark.parametrize("data, message", [
    (b"<html><script>alert(1)</script></html>", "请上传 PDF 文件或 JPG、PNG 图片"),  # an HTML page named .pdf
    (b"MZ\x90\x00" + b"\x00" * 200, "请上传 PDF 文件或 JPG、PNG 图片"),  # a program named .pdf
    (b"%PDF-1.7\n<html><script>alert(1)</script></html>", "不是有效的 PDF"),  # the magic bytes and nothing more
    (b"%PDF-1.4\n" + b"\x00" * 500 + b"\n%%EOF", "不是有效的 PDF"),
])
def test_a_disguised_file_is_refused_in_chinese(data, message):
    with pytest.raises(UploadRejected, match=message) as exc:
        clean_scan(upload(data), max_bytes=LIMIT)
    assert exc.value.code == "bad_upload" and refusals.page_status(exc.value) == 400
    with pytest.raises(UploadRejected, match=message):
        check_scan(upload(data))


def test_a_truncated_pdf_is_refused():
    data = pdf_bytes()
    with pytest.raises(UploadRejected, match="不是有效的 PDF"):
        clean_scan(upload(data[: len(data) // 3]), max_bytes=LIMIT)


def test_an_encrypted_pdf_is_refused():
    with pytest.raises(UploadRejected, match="已加密"):
        clean_scan(upload(pdf_bytes(password="x")), max_bytes=LIMIT)


def test_an_oversize_pdf_is_413():
    with pytest.raises(UploadRejected, match="过大") as exc:
        clean_scan(upload(pdf_bytes()), max_bytes=100)
    assert exc.value.code == "too_large" and refusals.page_status(exc.value) == 413


def test_the_form_check_leaves_the_file_rewound():
    scan = upload(pdf_bytes())
    check_scan(scan)
    assert scan.tell() == 0
