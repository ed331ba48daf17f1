"""The vote's one statement, prepared once per connection, through psycopg's public API.

Django's PostgreSQL cursors bind parameters on the client and send the text with the simple
query protocol, so the server parses and plans every statement again. For the statement run
once per vote (voting.services.CAST_PG) that is a measurable share of the work
(docs/development.md), so on PostgreSQL it runs on a server-binding `psycopg.Cursor` over
Django's own connection with `execute(..., prepare=True)`: psycopg prepares it on that
connection the first time and then only executes it. Elsewhere (SQLite) Django's cursor runs it
unchanged.

It runs on Django's connection, inside Django's transaction if one is open, and its errors come
out as Django's (IntegrityError and so on). Each thread keeps one cursor: making a cursor
(Django's, then psycopg's) per vote cost more than the statement's own client work.
A statement that returns ends a database outage in progress (`core.outages`), as a query on
Django's cursors does. Parameters are named (`%(name)s`, a mapping); on PostgreSQL give each an explicit type cast
(`%(day)s::date`), so that the prepared statement's parameter types never depend on the values."""

import threading

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections

from wenming.core import outages

_local = threading.local()  # .raw: the psycopg connection .cursor is on (Django's are per thread too)


def _cursor(raw):
    """This thread's server-binding cursor on Django's psycopg connection (a new one after a reconnect)."""
    if getattr(_local, "raw", None) is not raw:
        _local.cursor, _local.raw = psycopg.Cursor(raw), raw
    return _local.cursor


def fetchone(sql, params):
    """The first row of `sql` run with `params` on the default connection, or None."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    db.close_if_health_check_failed()  # what opening a Django cursor does first
    db.ensure_connection()
    with db.wrap_database_errors:
        cursor = _cursor(db.connection)
        cursor.execute(sql, params, prepare=True)
        row = cursor.fetchone()
    outages.incidents.succeeded("database")  # Django's execute wrappers do not see this cursor
    return row
