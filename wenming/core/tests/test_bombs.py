"""Small files that would cost a lot: refused before they are decoded or read to their end."""

import io
import resource
import struct
import subprocess
import sys
import time
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from wenming.core.excel import TooManyRows, read_rows
from wenming.core.uploads import UploadRejected, clean_image


def png_bomb(width, height):
    """A valid 1-bit PNG of width × height black pixels, a few kilobytes, built row by row."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    packer, idat = zlib.compressobj(9), []
    for _ in range(height):
        idat.append(packer.compress(row))
    idat.append(packer.flush())
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", b"".join(idat)) + chunk(b"IEND", b""))


def test_a_79_megapixel_png_is_refused_without_being_decoded(tmp_path):
    bomb = png_bomb(8900, 8900)  # 79.2 Mpx: below Pillow's own refusal (twice the limit)
    assert len(bomb) < 200_000
    with pytest.raises(UploadRejected) as refused:
        clean_image(SimpleUploadedFile("p.png", bomb), max_bytes=10 * 2**20)
    assert refused.value.code == "too_large" and "8900×8900" in str(refused.value)
    # Measured in a fresh process: refusing it costs a few megabytes, not the 400 MB decoding would.
    path = tmp_path / "bomb.png"
    path.write_bytes(bomb)
    code = f"""
import resource, django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "wenming.settings"
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from wenming.core.uploads import UploadRejected, clean_image
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    clean_image(SimpleUploadedFile("p.png", open({str(path)!r}, "rb").read()), max_bytes=10 * 2**20)
except UploadRejected:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""
    grew_kb = int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120,
                                 env={"PATH": "/usr/bin:/bin", "WENMING_DATA_DIR": str(tmp_path / "data"),
                                      "WENMING_SECRET_KEY": "x" * 50}).stdout)
    assert grew_kb < 50_000


def xlsx_of_rows(path, rows):
    """A valid .xlsx of `rows` one-cell rows, written as a stream (a few MB for millions)."""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
        '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
        'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
        'name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
        with zf.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                        b'2006/main"><sheetData>')
            batch = []
            for n in range(1, rows + 1):
                batch.append(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x</t></is></c></row>')
                if len(batch) == 10_000:
                    sheet.write("".join(batch).encode())
                    batch = []
            sheet.write(("".join(batch) + "</sheetData></worksheet>").encode())


def test_a_3_million_row_xlsx_is_refused_within_seconds(tmp_path, settings):
    path = tmp_path / "rows.xlsx"
    xlsx_of_rows(path, 3_000_000)
    assert path.stat().st_size < 20 * 2**20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    with open(path, "rb") as fh, pytest.raises(TooManyRows) as refused:
        for _ in read_rows(fh):
            pass
    assert time.monotonic() - started < 5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # kilobytes
    assert str(refused.value) == f"数据行过多（超过 {settings.IMPORT_MAX_ROWS} 行），单次上限 {settings.IMPORT_MAX_ROWS} 行"


def test_a_sheet_within_the_limit_is_read_whole(tmp_path):
    path = tmp_path / "rows.xlsx"
    xlsx_of_rows(path, 1_000)
    with open(path, "rb") as fh:
        assert [number for number, _ in read_rows(fh, max_rows=999)][-1] == 1_000
    with open(path, "rb") as fh, pytest.raises(TooManyRows):
        list(read_rows(fh, max_rows=998))


def test_a_request_body_beyond_the_limit_is_refused_before_it_is_read(client, settings, db):
    settings.REQUEST_MAX_BYTES = 1024 * 1024
    body = io.BytesIO(b"x" * 10)  # what is sent matters not: the length alone is refused
    page = client.generic("POST", "/recommend/", body.read(), CONTENT_TYPE="multipart/form-data; boundary=x",
                          CONTENT_LENGTH=str(2 * 1024 * 1024))
    assert page.status_code == 413 and "单次提交上限为 1 MB" in page.content.decode()
    api = client.generic("POST", "/api/v1/votes", b"{}", CONTENT_TYPE="application/json",
                         CONTENT_LENGTH=str(2 * 1024 * 1024))
    assert api.status_code == 413 and api.json()["error"]["code"] == "too_large"


def test_a_body_without_its_length_is_refused_unread(client, db):
    """A chunked upload (no Content-Length) would reach the form empty: it is refused as such,
    with a Chinese page or the API's error shape, and nothing is written."""
    from wenming.awards.models import Application

    page = client.generic("POST", "/recommend/", b"", CONTENT_TYPE="multipart/form-data; boundary=x",
                          CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked")
    assert page.status_code == 400 and "未注明长度" in page.content.decode()
    api = client.generic("POST", "/api/v1/votes", b"", CONTENT_TYPE="application/json", CONTENT_LENGTH="",
                         HTTP_TRANSFER_ENCODING="chunked")
    assert api.status_code == 400 and api.json()["error"] == {"code": "bad_request",
                                                             "message": "无法接收提交的内容，请求未注明内容长度"}
    assert not Application.objects.exists()
