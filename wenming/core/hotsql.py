"""One statement on the hot paths (the vote, the resident token), prepared once per connection.

Django's PostgreSQL cursors bind parameters on the client and send the text with the simple
query protocol, so the server parses and plans every statement again; a psycopg cursor adds
about 0.1 ms of Python per statement on top (adapters, its prepared-statement bookkeeping,
a generator per round trip). For a statement run once per vote both are a measurable share
of the work (docs/development.md). So on PostgreSQL the statement is prepared under its own
name on the connection's libpq handle the first time it is used, and then only executed
(`PQexecPrepared`, which releases the GIL while it waits), with text parameters and the row
read back by psycopg's own loaders. Elsewhere (SQLite) Django's cursor runs it unchanged.

It runs on Django's connection, inside Django's transaction if one is open (libpq does not
care), and its errors come out as Django's (IntegrityError and so on).

Statements use `%s` placeholders and no literal `%`; on PostgreSQL give each one an explicit
type cast (`%s::bigint`), which is what the prepared statement's parameter types come from."""

import datetime
import itertools
import re
import weakref

from django.db import DEFAULT_DB_ALIAS, connections
from psycopg import errors, pq
from psycopg.adapt import Transformer

_state = weakref.WeakKeyDictionary()  # psycopg connection -> (Transformer, {sql: statement name})
_PLACEHOLDER = re.compile(r"%s")


def _numbered(sql):
    if "%%" in sql or sql.count("%") != sql.count("%s"):
        raise ValueError("hotsql statements take %s placeholders only")
    number = itertools.count(1)
    return _PLACEHOLDER.sub(lambda _: f"${next(number)}", sql)


def _encoded(value):
    return str(value).encode()


# Parameters in PostgreSQL's text input format, by exact type (ISO dates and times, with the offset).
_TEXT = {str: str.encode, int: _encoded, datetime.date: _encoded, datetime.datetime: _encoded,
         bool: lambda value: b"t" if value else b"f", type(None): lambda value: None}


def _text(value):
    """A parameter in PostgreSQL's text input format (None is NULL)."""
    convert = _TEXT.get(type(value))
    if convert is None:  # a subclass, such as a TextChoices member
        convert = next((c for kind, c in _TEXT.items() if isinstance(value, kind)), None)
        if convert is None:
            raise TypeError(f"hotsql cannot send {type(value).__name__}")
    return convert(value)


def _check(result, raw):
    if result.status not in (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK):
        raise errors.error_from_result(result, encoding=raw.info.encoding)
    return result


def fetchone(sql, params):
    """The first row of `sql` run with `params` on the default connection, or None."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    db.close_if_health_check_failed()  # what opening a Django cursor does first
    db.ensure_connection()
    raw = db.connection
    state = _state.get(raw)
    if state is None:
        state = _state[raw] = (Transformer(raw), {})
    loader, names = state
    with db.wrap_database_errors:
        pgconn = raw.pgconn
        name = names.get(sql)
        if name is None:
            name = f"wenming_hot_{len(names)}".encode()
            _check(pgconn.prepare(name, _numbered(sql).encode()), raw)
            names[sql] = name
        result = _check(pgconn.exec_prepared(name, [_text(p) for p in params]), raw)
        if not result.ntuples:
            return None
        loader.set_pgresult(result)
        return loader.load_row(0, tuple)
