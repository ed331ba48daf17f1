"""The records' Excel export for the national volunteer system: a write-only workbook (rows
streamed from the database, so 100k records stay within seconds), formula-safe cells."""

import io

from openpyxl import Workbook

from wenming.core.excel import safe_cell, xlsx_response
from wenming.volunteers import services


def records_xlsx(records, campaign):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("志愿服务记录")
    ws.append(list(services.EXPORT_HEADERS))
    for row in services.export_rows(records, campaign):
        ws.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def records_response(records, campaign):
    return xlsx_response("志愿服务记录.xlsx", records_xlsx(records, campaign))
