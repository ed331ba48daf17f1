import pytest
from django.db import connection

from wenming.core import hotsql

pytestmark = pytest.mark.django_db


def test_a_row_or_none_on_either_database():
    assert hotsql.fetchone("SELECT %s + 1", [41]) == (42,)
    assert hotsql.fetchone("SELECT 1 WHERE 1 = %s", [2]) is None


def _prepared():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        return dict(cursor.fetchall())


@pytest.mark.postgres
def test_the_statement_is_prepared_once_and_then_only_executed():
    sql = "SELECT %s::bigint * 2"
    assert [hotsql.fetchone(sql, [n])[0] for n in (1, 2, 3)] == [2, 4, 6]
    prepared = {text: runs for text, runs in _prepared().items() if "* 2" in text}
    assert list(prepared.values()) == [3]  # one server-side statement, run three times


@pytest.mark.postgres
def test_djangos_own_queries_stay_unprepared():
    hotsql.fetchone("SELECT %s::int", [1])
    with connection.cursor() as cursor:
        for _ in range(10):
            cursor.execute("SELECT %s + 100", [1])
    assert not [text for text in _prepared() if "100" in text]
