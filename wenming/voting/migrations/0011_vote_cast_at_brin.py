"""A BRIN index on votes' cast_at, on PostgreSQL only: the dashboards count the votes of the
hour not yet tallied (dashboard.tally) as a range at the table's end. Votes arrive in time
order, so a block range summary is all it needs; it costs a vote insert next to nothing (the
newest ranges stay unsummarized until autovacuum's autosummarize reaches them, and an
unsummarized range is simply read). SQLite has no BRIN and is not where speed is measured."""

from django.db import migrations

INDEX = "vote_cast_at_brin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON voting_vote USING brin (cast_at) WITH (autosummarize = on)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):

    dependencies = [
        ("voting", "0010_lottery_public_value"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
