"""voting/sql/cast_vote.sql is the vote function as installed: the newest migration that installs
the function carries a frozen copy of exactly this text, and on PostgreSQL the function in the
database is the one the file creates."""

import importlib
import pkgutil
from pathlib import Path

import pytest
from django.db import connection, transaction

import wenming.voting.migrations

SOURCE = Path(__file__).resolve().parents[1] / "sql" / "cast_vote.sql"


def _installing_migrations():
    """The voting migrations that install the function, oldest first (each names its copy CAST_VOTE)."""
    names = sorted(m.name for m in pkgutil.iter_modules(wenming.voting.migrations.__path__))
    modules = [importlib.import_module(f"wenming.voting.migrations.{name}") for name in names]
    return [module for module in modules if hasattr(module, "CAST_VOTE")]


def test_the_newest_migration_installs_the_file_as_it_is():
    migrations = _installing_migrations()
    assert len(migrations) >= 3  # 0003, 0006, 0007, …
    assert SOURCE.read_text() == migrations[-1].CAST_VOTE, (
        "voting/sql/cast_vote.sql changed: add a migration that installs a frozen copy of its new text")


def test_each_migration_carries_its_own_full_copy():
    for migration in _installing_migrations():
        text = migration.CAST_VOTE
        assert text.count("CREATE OR REPLACE FUNCTION wenming_cast_vote(") == 1 and text.rstrip().endswith("$$;")


def _definitions():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_functiondef(oid) FROM pg_proc WHERE proname = 'wenming_cast_vote'")
        return [row[0] for row in cursor.fetchall()]


class _Undo(Exception):
    pass


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_function_in_the_database_is_the_one_the_file_creates():
    installed = _definitions()
    assert len(installed) == 1  # no older signature left beside it
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DROP FUNCTION wenming_cast_vote")
                cursor.execute(SOURCE.read_text())  # no parameters: the body's % is SQL
            from_file = _definitions()
            raise _Undo
    except _Undo:
        pass
    assert installed == from_file
    assert _definitions() == installed  # rolled back
