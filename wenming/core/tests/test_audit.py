import pytest

from wenming.core import audit, request_context
from wenming.core.models import AuditEntry
from wenming.testing.factories import make_company


def test_record_takes_ip_and_request_id_from_the_request_context(office):
    company = make_company()
    token = request_context.activate(request_context.RequestContext(ip="10.1.2.3", request_id="abc"))
    try:
        entry = audit.record("registry.company.updated", actor=office, target=company,
                             before={"name": "旧"}, after={"name": "新"})
    finally:
        request_context.reset(token)
    entry.refresh_from_db()
    assert (entry.ip, entry.request_id, entry.actor_role) == ("10.1.2.3", "abc", "office")
    assert entry.target_type == "registry.company" and entry.target_id == str(company.pk)


def test_entries_cannot_be_changed_or_deleted(office):
    entry = audit.record("core.test", actor=office)
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""


def test_snapshots_mask_phone_numbers(db):
    company = make_company(contact_phone="13812345678")
    assert audit.snapshot(company)["contact_phone"] == "138****5678"


def test_the_same_instant_in_another_zone_is_not_a_change():
    import datetime
    import zoneinfo

    from wenming.core.audit import _json_value, changed

    utc = datetime.datetime(2019, 9, 8, 1, tzinfo=datetime.UTC)
    shanghai = utc.astimezone(zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert changed({"at": _json_value(utc)}, {"at": _json_value(shanghai)}) == ({}, {})
