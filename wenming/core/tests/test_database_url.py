import pytest
from django.core.exceptions import ImproperlyConfigured

from wenming.settings import POSTGRES_TIMEOUTS as TIMEOUTS
from wenming.settings import database_from_url


def options(url):
    return database_from_url(url, None)["OPTIONS"]


def test_typed_options_come_out_as_values_of_their_type():
    assert options("postgres://u@db/wenming?server_side_binding=true&prepare_threshold=0&sslmode=require") == {
        "server_side_binding": True, "prepare_threshold": 0, "sslmode": "require", **TIMEOUTS}


def test_statements_may_be_prepared_unless_the_url_says_never():
    assert options("postgres://u@db/wenming") == {"prepare_threshold": 5, **TIMEOUTS}
    assert options("postgres://u@db/wenming?prepare_threshold=") == {"prepare_threshold": None, **TIMEOUTS}


def test_a_database_that_does_not_answer_fails_within_seconds_unless_the_url_says_otherwise():
    assert TIMEOUTS == {"connect_timeout": "3", "options": "-c statement_timeout=30000"}
    assert options("postgres://u@db/wenming?connect_timeout=10&options=-c%20statement_timeout%3D0") == {
        "prepare_threshold": 5, "connect_timeout": "10", "options": "-c statement_timeout=0"}
    assert database_from_url("postgres://u@db/wenming", None)["CONN_HEALTH_CHECKS"] is False  # core.dbhealth instead


@pytest.mark.parametrize("query", ["prepare_threshold=five", "server_side_binding=maybe"])
def test_a_malformed_option_is_refused_at_once(query):
    with pytest.raises(ImproperlyConfigured):
        options(f"postgres://u@db/wenming?{query}")
