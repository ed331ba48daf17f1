"""One statement on the hot paths (the vote, the resident token), prepared once per connection.

Django's PostgreSQL cursors bind parameters on the client and send the text with the simple
query protocol, so the server parses and plans every statement again. For a statement run
once per vote that is a measurable share of the database's work (see docs/development.md):
here, on PostgreSQL, the statement goes through a server-binding psycopg cursor with
`prepare=True`, which parses and plans it once per connection and then only executes it.
Elsewhere (SQLite) Django's own cursor runs it unchanged.

Statements use `%s` placeholders; on PostgreSQL give each one an explicit type cast
(`%s::bigint`) so that the prepared statement does not depend on the values' Python types."""

import psycopg
from django.db import connection


def fetchone(sql, params):
    """The first row of `sql` run with `params` on the default connection, or None."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchone()
