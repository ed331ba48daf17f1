"""The vote's one statement, prepared once per connection, through psycopg's public API.

Django's PostgreSQL cursors bind parameters on the client and send the text with the simple
query protocol, so the server parses and plans every statement again. For the statement run
once per vote (voting.services.CAST_PG) that is a measurable share of the work
(docs/development.md), so on PostgreSQL it runs on a server-binding `psycopg.Cursor` over
Django's own connection with `execute(..., prepare=True)`: psycopg prepares it on that
connection the first time and then only executes it. Elsewhere (SQLite) Django's cursor runs it
unchanged.

It runs on Django's connection, inside Django's transaction if one is open, and its errors come
out as Django's (IntegrityError and so on). Parameters are named (`%(name)s`, a mapping); on
PostgreSQL give each an explicit type cast (`%(day)s::date`), so that the prepared statement's
parameter types never depend on the values."""

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections


def fetchone(sql, params):
    """The first row of `sql` run with `params` on the default connection, or None."""
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:  # Django's: connects (or reconnects), checks health, maps errors
        if db.vendor != "postgresql":
            cursor.execute(sql, params)
            return cursor.fetchone()
        with db.wrap_database_errors, psycopg.Cursor(db.connection) as hot:
            hot.execute(sql, params, prepare=True)
            return hot.fetchone()
