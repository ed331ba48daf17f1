# The household register moves from surveys to the registry (complaints and volunteers beside
# awards name households too, and may not import surveys). The table is renamed; no row moves.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0001_initial"),
        ("surveys", "0002_household_register"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL("ALTER TABLE surveys_household RENAME TO registry_household",
                                  "ALTER TABLE registry_household RENAME TO surveys_household"),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="Household",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("building", models.CharField(max_length=20, verbose_name="楼栋")),
                        ("unit", models.CharField(max_length=20, verbose_name="单元")),
                        ("room", models.CharField(max_length=20, verbose_name="室号")),
                        ("key", models.CharField(max_length=40, verbose_name="户号")),
                        ("occupied", models.BooleanField(default=True, verbose_name="已入住")),
                        ("community", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                        related_name="households", to="registry.community")),
                    ],
                    options={"verbose_name": "住户", "verbose_name_plural": "住户登记",
                             "ordering": ["community", "pk"]},
                ),
                migrations.AddConstraint(
                    model_name="household",
                    constraint=models.UniqueConstraint(fields=("community", "key"), name="household_once_per_community"),
                ),
            ],
        ),
    ]
