"""Phone numbers at rest (core.fields): the company's contact phone and the staff phone hold
Fernet tokens; staff are looked up, and unique per company, by the keyed hash of their phone.
The rows already there are encrypted and hashed here (undone by writing them back in plain text)."""

from django.db import migrations, models

import wenming.core.fields
from wenming.core import phonestore


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0007_phones_encrypted"),
        ("registry", "0002_household"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="staff", name="staff_unique_phone_in_company"),
        migrations.AddField(
            model_name="staff",
            name="phone_hash",
            field=wenming.core.fields.PhoneHashField(default="", verbose_name="手机号"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="company",
            name="contact_phone",
            field=wenming.core.fields.EncryptedPhoneField(blank=True, verbose_name="联系电话"),
        ),
        migrations.AlterField(
            model_name="staff",
            name="phone",
            field=wenming.core.fields.EncryptedPhoneField(hash_field="phone_hash", verbose_name="手机号"),
        ),
        migrations.RunPython(*phonestore.migration("registry", "Company", "Staff"), elidable=False),
        migrations.AlterField(
            model_name="staff",
            name="phone_hash",
            field=wenming.core.fields.PhoneHashField(db_index=True, verbose_name="手机号"),
        ),
        migrations.AddConstraint(
            model_name="staff",
            constraint=models.UniqueConstraint(fields=("company", "phone_hash"), name="staff_unique_phone_in_company"),
        ),
    ]
