"""Phone numbers at rest (core.fields): every phone of the volunteer service holds a Fernet
token; volunteers (unique per station) and help requests are looked up by the keyed hash. The
rows already there are encrypted and hashed here (undone by writing them back in plain text)."""

from django.db import migrations, models

import wenming.core.fields
from wenming.core import phonestore


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0007_phones_encrypted"),
        ("volunteers", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="volunteer", name="volunteer_once_per_station"),
        migrations.AddField(
            model_name="volunteer",
            name="phone_hash",
            field=wenming.core.fields.PhoneHashField(default="", verbose_name="手机号"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="helprequest",
            name="phone_hash",
            field=wenming.core.fields.PhoneHashField(default="", verbose_name="联系电话"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="station",
            name="contact_phone",
            field=wenming.core.fields.EncryptedPhoneField(verbose_name="联系电话"),
        ),
        migrations.AlterField(
            model_name="volunteer",
            name="phone",
            field=wenming.core.fields.EncryptedPhoneField(hash_field="phone_hash", verbose_name="手机号"),
        ),
        migrations.AlterField(
            model_name="helprequest",
            name="phone",
            field=wenming.core.fields.EncryptedPhoneField(hash_field="phone_hash", verbose_name="联系电话"),
        ),
        migrations.RunPython(*phonestore.migration("volunteers", "Station", "Volunteer", "HelpRequest"),
                             elidable=False),
        migrations.AlterField(
            model_name="volunteer",
            name="phone_hash",
            field=wenming.core.fields.PhoneHashField(db_index=True, verbose_name="手机号"),
        ),
        migrations.AlterField(
            model_name="helprequest",
            name="phone_hash",
            field=wenming.core.fields.PhoneHashField(db_index=True, verbose_name="联系电话"),
        ),
        migrations.AddConstraint(
            model_name="volunteer",
            constraint=models.UniqueConstraint(fields=("station", "phone_hash"), name="volunteer_once_per_station"),
        ),
    ]
