"""Phone numbers at rest (core.fields): the applicant's phone holds a Fernet token (never looked
up, so no hash). The rows already there are encrypted here (undone by writing them back)."""

from django.db import migrations

import wenming.core.fields
from wenming.core import phonestore


class Migration(migrations.Migration):

    dependencies = [
        ("awards", "0002_one_recommendation_per_phone"),
        ("core", "0007_phones_encrypted"),
    ]

    operations = [
        migrations.AlterField(
            model_name="application",
            name="applicant_phone",
            field=wenming.core.fields.EncryptedPhoneField(blank=True, verbose_name="联系电话"),
        ),
        migrations.RunPython(*phonestore.migration("awards", "Application"), elidable=False),
    ]
