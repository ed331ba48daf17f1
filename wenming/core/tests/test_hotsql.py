import datetime

import pytest
from django.db import connection

from wenming.core import hotsql

pytestmark = pytest.mark.django_db


def test_a_row_or_none_on_either_database():
    assert hotsql.fetchone("SELECT %(n)s + 1", {"n": 41}) == (42,)
    assert hotsql.fetchone("SELECT 1 WHERE 1 = %(n)s", {"n": 2}) is None


def _prepared():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements")
        return dict(cursor.fetchall())


@pytest.mark.postgres
def test_the_statement_is_prepared_once_and_then_only_executed():
    sql = "SELECT %(n)s::bigint * 2"
    assert [hotsql.fetchone(sql, {"n": n})[0] for n in (1, 2, 3)] == [2, 4, 6]
    prepared = {text: runs for text, runs in _prepared().items() if "* 2" in text}
    assert list(prepared.values()) == [3]  # one server-side statement, run three times


@pytest.mark.postgres
def test_values_go_in_and_come_back_with_their_types():
    now = datetime.datetime(2019, 11, 26, 10, 0, 0, 123456, tzinfo=datetime.UTC)  # any instant: no clock read
    row = hotsql.fetchone("SELECT %(a)s::bigint, %(b)s::text, %(c)s::date, %(d)s::timestamptz, %(e)s::boolean, "
                          "%(f)s::text", {"a": 2**40, "b": "同一个", "c": datetime.date(2019, 11, 26), "d": now,
                                          "e": True, "f": None})
    assert row == (2**40, "同一个", datetime.date(2019, 11, 26), now, True, None)


@pytest.mark.postgres
def test_database_errors_come_out_as_djangos():
    from django.db import DataError, IntegrityError, transaction

    with pytest.raises(DataError), transaction.atomic():
        hotsql.fetchone("SELECT %(n)s::int / 0", {"n": 1})
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE hot_once (k int PRIMARY KEY)")
    hotsql.fetchone("INSERT INTO hot_once VALUES (%(k)s::int) RETURNING k", {"k": 1})
    with pytest.raises(IntegrityError), transaction.atomic():  # a savepoint, as Django code would
        hotsql.fetchone("INSERT INTO hot_once VALUES (%(k)s::int) RETURNING k", {"k": 1})
    assert hotsql.fetchone("SELECT count(*) FROM hot_once WHERE k = %(k)s::int", {"k": 1}) == (1,)
