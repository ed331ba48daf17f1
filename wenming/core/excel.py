"""Excel (.xlsx) helpers: formula-safe export and a tolerant reader for imports."""

import datetime
import io
import zipfile

import xlsxwriter
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
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


def text_cell(value):
    """`safe_cell`, and text without the control characters an .xlsx cannot hold (openpyxl
    refuses them), so no stored text can break an export."""
    value = safe_cell(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def stream_workbook(title, headers, rows, caption=None):
    """One sheet of `headers` (bold, frozen) and `rows` (an iterable, read once) as .xlsx bytes,
    each row written as it comes and never kept: XlsxWriter's constant-memory mode (openpyxl's
    write-only mode took twice as long: 100k rows must come out within seconds). Text is
    written as text, never as a formula, a number or a link. With a `caption` (campaign, scope,
    time: `caption_for`), it is the first row, above the headers."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_formulas": False,
                                      "strings_to_numbers": False, "strings_to_urls": False})
    ws = wb.add_worksheet(title[:31])
    top = 0
    if caption:
        ws.write_string(0, 0, text_cell(caption), wb.add_format({"bold": True, "font_size": 12}))
        top = 1
    ws.freeze_panes(top + 1, 0)
    for index, header in enumerate(headers):
        ws.set_column(index, index, max(10, len(str(header)) * 2 + 4))
    ws.write_row(top, 0, list(headers), wb.add_format({"bold": True}))
    dates = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    write_string, write_number = ws.write_string, ws.write_number
    for number, row in enumerate(rows, start=top + 1):
        for column, value in enumerate(row):
            if isinstance(value, str):
                if value:
                    if not value.isprintable():  # rare: only then look for what an .xlsx cannot hold
                        value = ILLEGAL_CHARACTERS_RE.sub("", value)
                    write_string(number, column, "'" + value if value.startswith(FORMULA_PREFIXES) else value)
            elif isinstance(value, bool):
                ws.write_boolean(number, column, value)
            elif isinstance(value, int | float):
                write_number(number, column, value)
            elif isinstance(value, datetime.datetime | datetime.date):
                ws.write_datetime(number, column, safe_cell(value), dates)
            elif value is not None:
                write_string(number, column, text_cell(str(value)))
    wb.close()
    return buffer.getvalue()


def caption_for(campaign, scope, when=None):
    """The title row of an export: campaign, scope (e.g. "全市", "海州区") and the time it was
    made, in the campaign's time zone."""
    when = timezone.localtime(when or timezone.now())
    name = campaign.name if campaign is not None else "文明物业"
    return f"{name} · {scope} · 导出于 {when:%Y-%m-%d %H:%M}"


def build_workbook(sheets, caption=None):
    """sheets: [(title, headers, rows)]; returns the .xlsx bytes. With a `caption`
    (`caption_for`), every sheet's first row is it, the headers below it and frozen."""
    wb = Workbook(write_only=False)
    wb.remove(wb.active)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title[:31])
        if caption:
            ws.append([text_cell(caption)])
            ws.cell(1, 1).font = Font(bold=True, size=12)
        ws.append(list(headers))
        header_row = 2 if caption else 1
        for cell in ws[header_row]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append([text_cell(v) for v in row])
        ws.freeze_panes = f"A{header_row + 1}"
        for index, header in enumerate(headers, start=1):
            ws.column_dimensions[ws.cell(1, index).column_letter].width = max(10, len(str(header)) * 2 + 4)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename, content):
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


class UnreadableImport(ValueError):
    """An import file refused as a whole, with a Chinese message."""


class NotAnXlsx(UnreadableImport):
    pass


class TooManyRows(UnreadableImport):
    pass


# A row of an import sheet as XML: a few dozen cells of a few dozen bytes each at most.
SHEET_BYTES_PER_ROW = 2048


def is_xlsx(head: bytes):
    return head.startswith(b"PK\x03\x04")


def read_rows(fileobj, max_rows=None):
    """Yield (row_number, [cell values]) of the first sheet, header row first.

    Refuses anything that is not a real .xlsx by its content, not by its name. The sheet is
    read as a stream (openpyxl's read-only mode) and reading stops with TooManyRows as soon as
    it holds more than `max_rows` data rows (settings.IMPORT_MAX_ROWS unless given), or more
    than twice that many rows counting empty ones: a small file of millions of rows is
    refused within moments, never read to its end."""
    if max_rows is None:
        max_rows = settings.IMPORT_MAX_ROWS
    head = fileobj.read(4)
    fileobj.seek(0)
    if not is_xlsx(head):
        raise NotAnXlsx("文件不是有效的 Excel（.xlsx）文件")
    try:
        with zipfile.ZipFile(fileobj) as archive:
            sheet_bytes = max((i.file_size for i in archive.infolist() if i.filename.startswith("xl/worksheets/")),
                              default=0)
        fileobj.seek(0)
        # openpyxl reads a sheet once whole when it does not state its size: a sheet's XML
        # beyond what max_rows rows could take is refused unread (a zip member never inflates
        # past its declared size).
        if sheet_bytes > max_rows * SHEET_BYTES_PER_ROW:
            raise TooManyRows(f"数据行过多（超过 {max_rows} 行），单次上限 {max_rows} 行")
        wb = load_workbook(fileobj, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        if isinstance(exc, UnreadableImport):
            raise
        raise NotAnXlsx("文件不是有效的 Excel（.xlsx）文件") from exc
    ws = wb.worksheets[0]
    filled, too_many = 0, TooManyRows(f"数据行过多（超过 {max_rows} 行），单次上限 {max_rows} 行")
    try:
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if number > 1 and any(value not in (None, "") for value in row):
                filled += 1
            if filled > max_rows or number > 2 * max_rows + 1:
                raise too_many
            yield number, list(row)
    finally:
        wb.close()
