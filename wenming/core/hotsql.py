"""One statement on the hot paths (the vote, the resident token), prepared once per connection.

Django's PostgreSQL cursors bind parameters on the client and send the text with the simple
query protocol, so the server parses and plans every statement again. For a statement run
once per vote that is a measurable share of the database's work (see docs/development.md):
here, on PostgreSQL, the statement goes through a server-binding psycopg cursor with
`prepare=True`, which parses and plans it once per connection and then only executes it.
Elsewhere (SQLite) Django's own cursor runs it unchanged.

Django opens psycopg connections with `prepare_threshold=None`, which turns every prepared
statement off, `prepare=True` included: psycopg then sends Parse, Bind and Execute for an
unnamed statement on every call. The first call on a connection sets a threshold no count
reaches, so only statements asked for here are prepared; Django's own (client-binding)
cursors never prepare anything either way.

Statements use `%s` placeholders; on PostgreSQL give each one an explicit type cast
(`%s::bigint`) so that the prepared statement does not depend on the values' Python types."""

import psycopg
from django.db import connection

NEVER_BY_COUNT = 2**31 - 1  # psycopg prepares after this many runs; prepare=True prepares at once


def fetchone(sql, params):
    """The first row of `sql` run with `params` on the default connection, or None."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = NEVER_BY_COUNT
    with connection.wrap_database_errors, psycopg.Cursor(raw) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchone()
