"""What every export's tests check: it opens, its first row is the caption (campaign ·
scope · time), no full mobile number anywhere, no cell a spreadsheet would run as a formula."""

import io
import re

from openpyxl import load_workbook

FULL_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def open_export(content, *, campaign=None, scope=None):
    """The workbook of `content`, checked; returns {sheet title: [rows below the caption]},
    the headers first."""
    wb = load_workbook(io.BytesIO(content))
    sheets = {}
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        caption = rows[0][0]
        assert isinstance(caption, str) and "导出于" in caption, caption
        if campaign is not None:
            assert caption.startswith(campaign.name), caption
        if scope is not None:
            assert f" · {scope} · " in caption, caption
        assert ws.freeze_panes == "A3"
        for row in rows:
            for value in row:
                if isinstance(value, str):
                    assert not FULL_PHONE.search(value), value
                    assert not value.startswith(("=", "+", "-", "@")), value
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
        sheets[ws.title] = rows[1:]
    return sheets


def first_sheet(content, **checks):
    return next(iter(open_export(content, **checks).values()))
