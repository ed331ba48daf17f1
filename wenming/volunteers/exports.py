"""The records' Excel export for the national volunteer system: one sheet of the national
record's fields, streamed from the database through openpyxl's write-only mode
(`core.excel.stream_workbook`: formula-safe, without characters an .xlsx cannot hold)."""

from wenming.core.excel import stream_workbook, xlsx_response
from wenming.volunteers import services


def records_xlsx(records, campaign):
    return stream_workbook("志愿服务记录", services.EXPORT_HEADERS, services.export_rows(records, campaign))


def records_response(records, campaign):
    return xlsx_response("志愿服务记录.xlsx", records_xlsx(records, campaign))
