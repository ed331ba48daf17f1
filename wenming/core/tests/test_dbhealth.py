"""The first request after the server closed a kept connection (a restart) does not fail: the
connection is dropped at the request's start, without a round trip, and opened afresh."""

import time

import psycopg
import pytest
from django.core.signals import request_finished, request_started
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_connection_the_server_closed_is_dropped_before_the_next_request_uses_it(settings):
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    params = {**connection.get_connection_params()}
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    time.sleep(0.3)  # the server's goodbye reaches the socket
    request_started.send(sender=None)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            assert cursor.fetchone()[0] != pid
    finally:
        request_finished.send(sender=None)


def test_a_healthy_connection_is_kept():
    connection.ensure_connection()
    raw = connection.connection
    request_started.send(sender=None)
    try:
        assert connection.connection is raw
    finally:
        request_finished.send(sender=None)
