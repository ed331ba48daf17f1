"""Excel (.xlsx) helpers: formula-safe export and a tolerant reader for imports."""

import datetime
import io
import zipfile

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    if isinstance(value, datetime.datetime):
        return value.astimezone().replace(tzinfo=None) if value.tzinfo else value
    return value


def text_cell(value):
    """`safe_cell`, and text without the control characters an .xlsx cannot hold (openpyxl
    refuses them), so no stored text can break an export."""
    value = safe_cell(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def stream_workbook(title, headers, rows):
    """One sheet of `headers` (bold, frozen) and `rows` (an iterable, read once) as .xlsx bytes,
    through openpyxl's write-only mode: each row is written as it comes, never kept (for
    exports of 100k rows)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    ws.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(10, len(str(header)) * 2 + 4)
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        ws.append([text_cell(v) for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


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
            ws.append([text_cell(v) for v in row])
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
