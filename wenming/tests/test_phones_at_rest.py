"""Phone numbers at rest (issue 22, core.fields): no phone column holds a number in plain text,
rows are found by the whole number through the keyed hash, uniqueness holds on it, keys rotate
with `wenming phones rotate` while old rows stay readable, the data migration encrypts the rows
already there, and the vote decrypts nothing."""

import datetime
import io
import re

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef

from wenming.core import fields, phonestore
from wenming.core.models import AuditEntry, Delivery, PhoneCode, Resident, User
from wenming.registry.models import Company, Staff
from wenming.testing import factories as f

# Every stamp these tests write (consent, a code's expiry): stored, never compared with the clock.
AT = datetime.datetime(2026, 11, 26, 2, 0, tzinfo=datetime.UTC)

pytestmark = pytest.mark.django_db

NEW_KEY = "1Yc2b5QfFQpU7u2f0o3J3l2m8b0e4oZb5Y9m3z2tq0A="
NEW_HASH_KEY = "n" * 40
FULL_NUMBER = re.compile(r"1[3-9]\d{9}")

# Every column that holds a phone (issue 22's list), and the ones with a lookup hash.
PHONE_COLUMNS = {
    "core.User.phone", "core.Delivery.phone", "core.PhoneCode.phone", "core.Resident.phone",
    "registry.Company.contact_phone", "registry.Staff.phone", "awards.Application.applicant_phone",
    "complaints.Ticket.phone", "volunteers.Station.contact_phone", "volunteers.Volunteer.phone",
    "volunteers.HelpRequest.phone",
}
HASHED = {"core.PhoneCode.phone", "core.Resident.phone", "registry.Staff.phone", "volunteers.Volunteer.phone",
          "volunteers.HelpRequest.phone"}


def raw(col):
    """{pk: stored text} of a column, read past the ORM."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {q(col.pk)}, {q(col.column)} FROM {q(col.table)}")
        return dict(cursor.fetchall())


def raw_hashes(col):
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {q(col.pk)}, {q(col.hash_column)} FROM {q(col.table)}")
        return dict(cursor.fetchall())


def column(label):
    return next(col for col in phonestore.columns() if col.label == label)


def resident(phone):
    return Resident.objects.create(phone=phone, consent_version="2019.1", consented_at=AT)


def test_every_phone_column_is_encrypted_and_the_hashed_ones_are_those_looked_up():
    assert {col.label for col in phonestore.columns()} == PHONE_COLUMNS
    assert {col.label for col in phonestore.columns() if col.hash_column} == HASHED


def test_the_demo_stores_no_phone_number_in_plain_text_anywhere(demo_day):
    from wenming.demo import build_demo

    build_demo(phase="voting", today=demo_day)
    # what the demo leaves empty: an SMS code, a resident's delivery
    PhoneCode.objects.create(phone="13912345678", code_hash="x", expires_at=AT)
    Delivery.objects.create(phone="13912345679", channel="sms", key="test")
    from wenming.awards.models import Application

    application = Application.objects.order_by("pk").first()  # the demo's applications name no phone
    application.applicant_phone = "13912345670"
    application.save()
    for col in phonestore.columns():
        stored = {pk: value for pk, value in raw(col).items() if value}
        assert stored, f"{col.label}: the demo should fill it"
        model = next(m for m, fld in fields.phone_fields() if phonestore.column_of(m, fld) == col)
        shown = dict(model._base_manager.values_list("pk", col.label.rsplit(".", 1)[1]))
        for pk, value in stored.items():
            assert not FULL_NUMBER.search(value) and value.startswith("gAAAAA"), (col.label, value)
            assert FULL_NUMBER.fullmatch(shown[pk]) and shown[pk] not in value  # the ORM reads the number
        if col.hash_column:
            assert all(len(h) == 64 for pk, h in raw_hashes(col).items() if stored.get(pk))


def test_the_same_number_is_stored_differently_each_time():
    a, b = resident("13800000001"), User.objects.create(username="u", phone="13800000001")
    assert raw(column("core.Resident.phone"))[a.pk] != raw(column("core.User.phone"))[b.pk]
    assert Resident.objects.get(pk=a.pk).phone == User.objects.get(pk=b.pk).phone == "13800000001"


def test_rows_are_found_by_the_whole_number_through_the_hash(world):
    one, two = resident("13800000001"), resident("13800000002")
    assert Resident.objects.get(phone="13800000001") == one
    assert list(Resident.objects.filter(phone__in=["13800000002", "13900000000"])) == [two]
    assert not Resident.objects.filter(phone="13800000003").exists()
    assert Resident.objects.exclude(phone="13800000001").get() == two
    found, created = Resident.objects.get_or_create(phone="13800000001", defaults={
        "consent_version": "x", "consented_at": AT})
    assert found == one and not created
    sql = str(Resident.objects.filter(phone="13800000001").query)
    assert "phone_hash" in sql and fields.phone_digest("13800000001") in sql
    staff = f.make_staff(company=world.company_a, phone="13700000001")
    assert Staff.objects.get(phone="13700000001") == staff  # across the registry too
    assert set(Staff.objects.filter(company__staff__phone="13700000001")) == set(  # and through joins
        Staff.objects.filter(company=world.company_a))


def test_no_lookup_compares_ciphertexts():
    resident("13800000001")
    for refused in (
        lambda: Resident.objects.filter(phone__startswith="138"),
        lambda: Resident.objects.filter(phone__contains="0000"),
        lambda: Resident.objects.filter(phone__iexact="13800000001"),
        lambda: Resident.objects.filter(phone=F("consent_version")),
        lambda: Resident.objects.filter(phone__in=Resident.objects.values("phone")),
        lambda: Staff.objects.filter(phone=OuterRef("phone")),
        lambda: User.objects.filter(phone="13800000001"),  # no hash: not looked up by phone
        lambda: Company.objects.filter(contact_phone__in=["13800000001"]),
    ):
        with pytest.raises(FieldError, match="stored encrypted"):
            list(refused())
    nobody = User.objects.create(username="nobody")
    assert list(User.objects.filter(phone="")) == [nobody]  # no number: stored empty, found as such


def test_uniqueness_holds_on_the_hash(world):
    resident("13800000001")
    with pytest.raises(IntegrityError), transaction.atomic():
        resident("13800000001")
    f.make_staff(company=world.company_a, phone="13700000001", name="甲")
    f.make_staff(company=world.company_b, phone="13700000001", name="乙")  # another company: allowed
    with pytest.raises(IntegrityError), transaction.atomic():
        f.make_staff(company=world.company_a, phone="13700000001", name="丙")


def test_a_form_that_repeats_a_phone_in_the_company_is_refused_before_the_database(world):
    from wenming.registry.forms import StaffForm

    f.make_staff(company=world.company_a, phone="13700000001", name="甲")
    data = {"name": "丙", "company": world.company_a.pk, "post": "security", "entered_trade_on": "2015-01-01",
            "phone": "13700000001"}
    form = StaffForm(data=data, user=f.make_user("o", role="office"))
    assert not form.is_valid()
    assert form.errors == {"__all__": ["包含 物业服务企业 和 手机号 的 物业从业人员 已经存在。"]}
    assert Staff.objects.filter(phone="13700000001").count() == 1


def test_the_hash_and_prefix_follow_the_number():
    r = Resident(phone="17012345678")
    assert r.phone_hash == fields.phone_digest("17012345678") and r.phone_prefix == "1701"
    r.phone = "13912345678"
    assert r.phone_hash == fields.phone_digest("13912345678") and r.phone_prefix == "1391"
    r.consent_version, r.consented_at = "x", AT
    r.save()
    with pytest.raises(ValueError, match="phone_hash"):
        r.save(update_fields=["phone"])  # the hash would be left behind


def test_the_audit_log_keeps_masked_phones_and_no_hash(world, office):
    from wenming.core import audit

    staff = f.make_staff(company=world.company_a, phone="13700000001")
    entry = audit.record("registry.staff.created", actor=office, target=staff, after=audit.snapshot(staff))
    assert entry.after["phone"] == "137****0001" and "phone_hash" not in entry.after
    assert "13700000001" not in str(AuditEntry.objects.get(pk=entry.pk).after)


def rotate(**options):
    out = io.StringIO()
    call_command("phones", "rotate", stdout=out, **options)
    return out.getvalue()


def verify():
    out = io.StringIO()
    call_command("phones", "verify", stdout=out)
    return out.getvalue()


def test_rotation_re_encrypts_every_row_and_old_rows_stay_readable_meanwhile(settings, world):
    old_key = settings.PHONE_KEYS[0]
    people = [resident(f"1380000{n:04d}") for n in range(25)]
    staff = f.make_staff(company=world.company_a, phone="13700000001")
    before = raw(column("core.Resident.phone"))

    settings.PHONE_KEYS = [NEW_KEY, old_key]  # the new key first, the old one still listed
    assert Resident.objects.get(pk=people[3].pk).phone == "13800000003"  # an old row, still readable
    newcomer = resident("13900000001")  # written under the new key
    assert "core.Resident.phone：26 行，当前密钥 1，旧密钥 25" in verify()
    printed = rotate(batch=10)
    assert "core.Resident.phone：共 26 行，改写 25 行" in printed
    after = raw(column("core.Resident.phone"))
    assert all(after[p.pk] != before[p.pk] for p in people)
    assert all(fields.is_current(value) for value in after.values())
    assert "没有需要改写的行" in rotate()  # idempotent: a second run changes nothing
    assert raw(column("core.Resident.phone")) == after
    entry = AuditEntry.objects.get(action="core.phones.rotated")
    assert entry.after["rewritten"] >= 26  # residents and the staff's phone, the company's contact…

    settings.PHONE_KEYS = [NEW_KEY]  # the old key gone: everything still reads
    assert sorted(Resident.objects.values_list("phone", flat=True)) == sorted(
        [f"1380000{n:04d}" for n in range(25)] + ["13900000001"])
    assert Staff.objects.get(phone="13700000001") == staff and newcomer.pk
    assert "核验通过" in verify()


def test_a_key_taken_away_too_early_is_reported_not_guessed(settings):
    resident("13800000001")
    settings.PHONE_KEYS = [NEW_KEY]  # the old key dropped before rotating
    with pytest.raises(fields.PhoneKeyError):
        Resident.objects.get().phone  # noqa: B018
    with pytest.raises(CommandError, match="无法解密"):
        verify()
    with pytest.raises(CommandError, match="无法用已配置的任何密钥解密"):
        rotate()


def test_hash_key_rotation_keeps_every_row_findable(settings):
    old_hash_key = settings.PHONE_HASH_KEYS[0]
    one = resident("13800000001")
    settings.PHONE_HASH_KEYS = [NEW_HASH_KEY, old_hash_key]
    assert Resident.objects.get(phone="13800000001") == one  # under the old hash, found by either
    found, created = Resident.objects.get_or_create(phone="13800000001", defaults={
        "consent_version": "x", "consented_at": AT})
    assert found == one and not created  # not registered twice
    assert "哈希需重算 1" in verify()
    rotate()
    assert raw_hashes(column("core.Resident.phone"))[one.pk] == fields.phone_digest("13800000001", NEW_HASH_KEY)
    settings.PHONE_HASH_KEYS = [NEW_HASH_KEY]
    assert Resident.objects.get(phone="13800000001") == one


def test_without_keys_no_phone_is_written_or_read(settings):
    resident("13800000001")
    settings.PHONE_KEYS, settings.PHONE_HASH_KEYS = [], []
    with pytest.raises(fields.PhoneKeyError, match="must be set in production"), transaction.atomic():
        resident("13800000002")
    with pytest.raises(fields.PhoneKeyError, match="must be set in production"):
        Resident.objects.get().phone  # noqa: B018
    assert Resident.objects.count() == 1  # nothing written
    with pytest.raises(CommandError, match="手机号密钥配置有误"):
        verify()


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_the_plaintext_rows_and_can_be_undone():
    from django.db.migrations.executor import MigrationExecutor

    before = [("core", "0006_notification_channels"), ("registry", "0002_household"),
              ("volunteers", "0001_initial"), ("complaints", "0001_initial"),
              ("awards", "0002_one_recommendation_per_phone"), ("voting", "0011_vote_cast_at_brin")]
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    now = AT.isoformat()
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO core_resident (phone, consent_version, consented_at, created_at) "
                       "VALUES ('17012345678', 'v', %s, %s), ('13800138000', 'v', %s, %s)", [now] * 4)
        cursor.execute("INSERT INTO core_phonecode (phone, code_hash, purpose, created_at, expires_at, attempts) "
                       "VALUES ('13800138000', 'x', 'resident', %s, %s, 0)", [now, now])
    executor = MigrationExecutor(connection)
    executor.migrate(leaves)
    stored = raw(column("core.Resident.phone"))
    assert not any(FULL_NUMBER.search(v) for v in stored.values())
    assert sorted(Resident.objects.values_list("phone", "phone_prefix")) == [("13800138000", "1380"),
                                                                              ("17012345678", "1701")]
    assert Resident.objects.get(phone="17012345678").phone_prefix == "1701"
    assert PhoneCode.objects.get(phone="13800138000")
    executor = MigrationExecutor(connection)
    executor.migrate(before)  # undone: the numbers in plain text again
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM core_resident ORDER BY phone")
        assert [row[0] for row in cursor.fetchall()] == ["13800138000", "17012345678"]
    executor = MigrationExecutor(connection)
    executor.migrate(leaves)
    assert Resident.objects.get(phone="13800138000")


def test_the_migration_drops_phone_numbers_from_sessions_stored_before():
    """Sessions from before the phone step kept ids held the number itself: the migration drops
    those keys and leaves everything else in the session as it was."""
    import importlib

    from django.apps import apps
    from django.contrib.sessions.backends.db import SessionStore

    old = SessionStore()
    old.update({"awards_verified_phone": "13912345678", "awards_pending_phone": {"phone": "13912345679"},
                "wechat_openid": "o-kept"})
    old.create()
    untouched = SessionStore()
    untouched.update({"verified_resident": 7})
    untouched.create()
    migration = importlib.import_module("wenming.core.migrations.0008_sessions_forget_phone_numbers")
    migration.forget_numbers(apps, connection.schema_editor())
    assert dict(SessionStore(old.session_key).load()) == {"wechat_openid": "o-kept"}
    assert dict(SessionStore(untouched.session_key).load()) == {"verified_resident": 7}
