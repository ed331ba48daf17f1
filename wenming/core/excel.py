"""Excel (.xlsx) helpers: formula-safe export and a tolerant reader for imports."""

import datetime
import io
import zipfile

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    if isinstance(value, datetime.datetime):
        return value.astimezone().replace(tzinfo=None) if value.tzinfo else value
    return value


def build_workbook(sheets):
    """sheets: [(title, headers, rows)]; returns the .xlsx bytes."""
    wb = Workbook(write_only=False)
    wb.remove(wb.active)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title[:31])
        ws.append(list(headers))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append([safe_cell(v) for v in row])
        for index, header in enumerate(headers, start=1):
            ws.column_dimensions[ws.cell(1, index).column_letter].width = max(10, len(str(header)) * 2 + 4)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename, content):
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


class NotAnXlsx(ValueError):
    pass


def is_xlsx(head: bytes):
    return head.startswith(b"PK\x03\x04")


def read_rows(fileobj):
    """Yield (row_number, [cell values]) of the first sheet, header row first.

    Refuses anything that is not a real .xlsx by its content, not by its name."""
    head = fileobj.read(4)
    fileobj.seek(0)
    if not is_xlsx(head):
        raise NotAnXlsx("文件不是有效的 Excel（.xlsx）文件")
    try:
        wb = load_workbook(fileobj, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise NotAnXlsx("文件不是有效的 Excel（.xlsx）文件") from exc
    ws = wb.worksheets[0]
    for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
        yield number, list(row)
    wb.close()
