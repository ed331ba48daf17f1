"""The records' Excel export for the national volunteer system: one sheet of the national
record's fields, streamed from the database (`core.excel`: captioned, formula-safe, phones
masked by `services.export_rows`)."""

from wenming.core.excel import Table, workbook_for, workbook_response
from wenming.volunteers import services
from wenming.volunteers.models import Record


def records_table(records, campaign):
    return Table("志愿服务记录", list(services.EXPORT_HEADERS), services.export_rows(records, campaign),
                 count=services.confirmed(records).count())


def records_xlsx(records, campaign, user=None, progress=None):
    return workbook_for([records_table(records, campaign)], campaign=campaign, user=user, progress=progress)


def records_response(records, campaign, user):
    return workbook_response("志愿服务记录.xlsx", [records_table(records, campaign)], campaign=campaign, user=user)


def hub_records(user, campaign):
    """The export hub's entry: the confirmed records the user may see."""
    return [records_table(Record.objects.visible_to(user).filter(campaign=campaign), campaign)]
