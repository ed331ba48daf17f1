"""Phone numbers at rest (core.fields): every phone column holds a Fernet token; PhoneCode and
Resident get the keyed hash they are looked up (and Resident is unique) by, and Resident the
number's first digits for the vote's virtual-operator check. The rows already there are
encrypted and hashed here (undone by writing them back in plain text)."""

from django.db import migrations

import wenming.core.fields
from wenming.core import phonestore


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0006_notification_channels"),
    ]

    operations = [
        migrations.AddField(
            model_name="phonecode",
            name="phone_hash",
            field=wenming.core.fields.PhoneHashField(default=""),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="resident",
            name="phone_hash",
            field=wenming.core.fields.PhoneHashField(default="", verbose_name="手机号"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="resident",
            name="phone_prefix",
            field=wenming.core.fields.PhonePrefixField(default="", verbose_name="号段"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="user",
            name="phone",
            field=wenming.core.fields.EncryptedPhoneField(blank=True, verbose_name="手机号"),
        ),
        migrations.AlterField(
            model_name="delivery",
            name="phone",
            field=wenming.core.fields.EncryptedPhoneField(blank=True, verbose_name="手机号"),
        ),
        migrations.AlterField(
            model_name="phonecode",
            name="phone",
            field=wenming.core.fields.EncryptedPhoneField(hash_field="phone_hash"),
        ),
        migrations.AlterField(
            model_name="resident",
            name="phone",
            field=wenming.core.fields.EncryptedPhoneField(hash_field="phone_hash", prefix_field="phone_prefix",
                                                          verbose_name="手机号"),
        ),
        migrations.RunPython(*phonestore.migration("core", "User", "Delivery", "PhoneCode", "Resident"),
                             elidable=False),
        migrations.AlterField(
            model_name="phonecode",
            name="phone_hash",
            field=wenming.core.fields.PhoneHashField(db_index=True),
        ),
        migrations.AlterField(
            model_name="resident",
            name="phone_hash",
            field=wenming.core.fields.PhoneHashField(unique=True, verbose_name="手机号"),
        ),
    ]
