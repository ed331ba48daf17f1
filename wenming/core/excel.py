"""Excel (.xlsx) helpers: formula-safe export and a tolerant reader for imports.

Every export has the same layout: a caption row (campaign · scope · time, `caption_for`), the
headers below it in bold and frozen, columns as wide as their content (CJK counted double,
capped), numbers as numeric cells, dates as dates, text never run as a formula. One writer
does it all (`write_workbook`, XlsxWriter in constant-memory mode: rows are written as they
come and never kept, so 100k rows come out within seconds and with a progress callback)."""

import datetime
import decimal
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import xlsxwriter
from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
MIN_WIDTH, MAX_WIDTH = 8, 60
WIDTH_SAMPLE = 2000  # rows looked at for widths; past them a column keeps what it has


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


MOBILE_IN_TEXT = re.compile(r"(?<![0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])")


def mask_phones_in(text):
    """Free text with every mobile number in it masked (138****5678), for exported notes."""
    return MOBILE_IN_TEXT.sub(r"\1****\2", text) if text else text


def display_width(text):
    """Columns a text takes on screen: a CJK (wide) character counts double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@dataclass
class Table:
    """One sheet of an export. `rows` is any iterable (read once); `count`, when known
    cheaply (a queryset's count), lets the export hub send large ones to the worker."""

    title: str
    headers: list
    rows: Iterable = ()
    count: int | None = None
    widths: dict = field(default_factory=dict)  # column index → fixed width, where content misleads


def write_workbook(tables, caption=None, progress: Callable[[int], None] | None = None, every=1000):
    """The .xlsx bytes of `tables` (`Table`s or (title, headers, rows) tuples). With a
    `caption`, it is every sheet's first row, the headers below it. `progress(done)` is
    called every `every` rows written (all sheets together) and once at the end."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_formulas": False,
                                      "strings_to_numbers": False, "strings_to_urls": False,
                                      "default_date_format": "yyyy-mm-dd"})
    bold = wb.add_format({"bold": True})
    title_format = wb.add_format({"bold": True, "font_size": 12})
    date_format = wb.add_format({"num_format": "yyyy-mm-dd"})
    time_format = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    done = 0
    for table in tables:
        if not isinstance(table, Table):
            table = Table(*table)
        ws = wb.add_worksheet(_sheet_title(table.title))
        top = 0
        if caption:
            ws.write_string(0, 0, text_cell(caption), title_format)
            top = 1
        ws.freeze_panes(top + 1, 0)
        headers = [str(h) for h in table.headers]
        ws.write_row(top, 0, headers, bold)
        widths = [display_width(h) for h in headers]
        write_string, write_number = ws.write_string, ws.write_number

        def write_cell(number, column, value, ws=ws, write_string=write_string, write_number=write_number):
            """Write one cell by its type; returns the width it takes."""
            if value is None or value == "":
                return 0
            if isinstance(value, str):
                if not value.isprintable():  # rare: only then look for what an .xlsx cannot hold
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                write_string(number, column, "'" + value if value.startswith(FORMULA_PREFIXES) else value)
                return display_width(value)
            if isinstance(value, bool):
                ws.write_boolean(number, column, value)
                return 5
            if isinstance(value, int | float | decimal.Decimal):
                write_number(number, column, float(value) if isinstance(value, decimal.Decimal) else value)
                return len(str(value))
            if isinstance(value, datetime.datetime):
                ws.write_datetime(number, column, safe_cell(value), time_format)
                return 16
            if isinstance(value, datetime.date):
                ws.write_datetime(number, column, value, date_format)
                return 10
            text = text_cell(str(value))
            write_string(number, column, text)
            return display_width(text)

        rows = iter(table.rows)
        number = top
        # The first rows decide the widths; past them each cell is only written (100k rows in seconds).
        for number, row in enumerate(itertools.islice(rows, WIDTH_SAMPLE), start=top + 1):
            for column, value in enumerate(row):
                width = write_cell(number, column, value)
                if column >= len(widths):
                    widths.append(0)
                if width > widths[column]:
                    widths[column] = width
            done += 1
            if progress is not None and done % every == 0:
                progress(done)
        after_sample = number + 1
        for number, row in enumerate(rows, start=after_sample):
            for column, value in enumerate(row):
                if value is None:
                    continue
                if type(value) is str:
                    if value:
                        if not value.isprintable():
                            value = ILLEGAL_CHARACTERS_RE.sub("", value)
                        write_string(number, column, "'" + value if value.startswith(FORMULA_PREFIXES) else value)
                else:
                    write_cell(number, column, value)
            done += 1
            if progress is not None and done % every == 0:
                progress(done)
        # XlsxWriter assembles the sheet at close, so widths seen while streaming still apply.
        for column, width in enumerate(widths):
            width = table.widths.get(column, width)
            ws.set_column(column, column, min(MAX_WIDTH, max(MIN_WIDTH, width + 2)))
    wb.close()
    if progress is not None:
        progress(done)
    return buffer.getvalue()


def _sheet_title(title):
    # An .xlsx sheet name holds at most 31 characters and none of []:*?/\
    return "".join(" " if ch in "[]:*?/\\" else ch for ch in str(title))[:31] or "Sheet1"


def stream_workbook(title, headers, rows, caption=None):
    """One sheet of `headers` and `rows` (an iterable, read once) as .xlsx bytes."""
    return write_workbook([Table(title, headers, rows)], caption=caption)


def build_workbook(sheets, caption=None):
    """sheets: [(title, headers, rows)] or `Table`s; returns the .xlsx bytes."""
    return write_workbook(sheets, caption=caption)


def caption_for(campaign, scope, when=None):
    """The title row of an export: campaign, scope (e.g. "全市", "海州区") and the time it was
    made, in the campaign's time zone."""
    when = timezone.localtime(when or timezone.now())
    name = campaign.name if campaign is not None else "文明物业"
    return f"{name} · {scope} · 导出于 {when:%Y-%m-%d %H:%M}"


def scope_of(user):
    """The scope an export is cut to for `user`, in words: 全市 for the office, else the
    district's or company's name, else the person (an expert's own sheet)."""
    if user is None or user.is_superuser or getattr(user, "role", "") == "office":
        return "全市"
    if getattr(user, "district_id", None):
        return user.district.name
    if getattr(user, "company_id", None):
        return user.company.name
    return user.get_full_name() or user.username


def workbook_for(tables, *, campaign, user, when=None, progress=None, every=1000):
    """The .xlsx bytes of an export taken by `user`: captioned with campaign, scope and time."""
    return write_workbook(tables, caption=caption_for(campaign, scope_of(user), when), progress=progress,
                          every=every)


def workbook_response(filename, tables, *, campaign, user):
    return xlsx_response(filename, workbook_for(tables, campaign=campaign, user=user))


def xlsx_response(filename, content):
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
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


def is_caption(row):
    """The caption row of our own exports (`caption_for`): one text cell, "… · 导出于 …"."""
    cells = [v for v in row if v not in (None, "")]
    return len(cells) == 1 and isinstance(row[0], str) and " · 导出于 " in row[0]


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
    filled, header_read = 0, False
    too_many = TooManyRows(f"数据行过多（超过 {max_rows} 行），单次上限 {max_rows} 行")
    try:
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if number == 1 and is_caption(row):
                continue  # an export of ours read back: the headers are on row 2
            if header_read and any(value not in (None, "") for value in row):
                filled += 1
            header_read = True
            if filled > max_rows or number > 2 * max_rows + 2:
                raise too_many
            yield number, list(row)
    finally:
        wb.close()
