"""Phone numbers at rest (core.fields): the ticket's phone holds a Fernet token (never looked up,
so no hash). The rows already there are encrypted here (undone by writing them back)."""

from django.db import migrations

import wenming.core.fields
from wenming.core import phonestore


class Migration(migrations.Migration):

    dependencies = [
        ("complaints", "0001_initial"),
        ("core", "0007_phones_encrypted"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ticket",
            name="phone",
            field=wenming.core.fields.EncryptedPhoneField(verbose_name="联系电话"),
        ),
        migrations.RunPython(*phonestore.migration("complaints", "Ticket"), elidable=False),
    ]
