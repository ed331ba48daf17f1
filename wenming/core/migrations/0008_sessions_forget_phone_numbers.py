"""Sessions verified before the phone step kept the resident's id held the phone number itself
(under "awards_verified_phone", and "awards_pending_phone" while a code was pending). Those keys
are dropped from every stored session: such a resident simply verifies again."""

from django.contrib.sessions.backends.db import SessionStore
from django.db import migrations

OLD_KEYS = ("awards_verified_phone", "awards_pending_phone")


def forget_numbers(apps, schema_editor):
    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    for session in Session.objects.using(schema_editor.connection.alias).iterator():
        data = store.decode(session.session_data)
        if any(key in data for key in OLD_KEYS):
            for key in OLD_KEYS:
                data.pop(key, None)
            session.session_data = store.encode(data)
            session.save(update_fields=["session_data"])


class Migration(migrations.Migration):
    dependencies = [("core", "0007_phones_encrypted"), ("sessions", "0001_initial")]

    operations = [migrations.RunPython(forget_numbers, migrations.RunPython.noop)]
