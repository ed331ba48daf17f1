# The household register now lives in registry (registry 0002 renamed the table): state only.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0002_household_register"),
        ("registry", "0002_household"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Household")]),
    ]
