"""The phone columns as stored (core.fields), read and written with plain SQL: the data
migrations that encrypt the plaintext rows, `wenming phones rotate` (re-encrypt under the
current key, re-hash under the current hash key) and `wenming phones verify`.

Every step goes by primary key in batches, one transaction per batch, and writes only the rows
that change, so a run can be stopped and started again: a second run finds nothing to do."""

import dataclasses

from django.db import connection as default_connection
from django.db import transaction

from wenming.core.fields import (
    PREFIX_DIGITS,
    EncryptedPhoneField,
    PhoneKeyError,
    decrypt_phone,
    encrypt_phone,
    is_current,
    phone_digest,
    phone_fields,
)

BATCH = 1000
PLAIN_MAX = 11  # a stored value this short is a number, not a token (a Fernet token is 100 characters)


@dataclasses.dataclass(frozen=True)
class Column:
    """One encrypted column and its companions, as names in the database."""

    label: str  # app_label.Model.field
    table: str
    pk: str
    column: str
    hash_column: str | None = None
    prefix_column: str | None = None


def column_of(model, field):
    opts = model._meta

    def col(name):
        return opts.get_field(name).column if name else None

    return Column(f"{opts.app_label}.{opts.object_name}.{field.name}", opts.db_table, opts.pk.column, field.column,
                  col(field.hash_field), col(field.prefix_field))


def columns(apps=None):
    """Every encrypted column: of the installed apps, or of a migration's historical `apps`."""
    if apps is None:
        return [column_of(model, field) for model, field in phone_fields()]
    return [column_of(model, field) for model in apps.get_models() for field in model._meta.concrete_fields
            if isinstance(field, EncryptedPhoneField)]


def _batches(cursor, col, batch=BATCH):
    q = cursor.db.ops.quote_name
    names = [col.pk, col.column, *(c for c in (col.hash_column, col.prefix_column) if c)]
    select = (f"SELECT {', '.join(q(n) for n in names)} FROM {q(col.table)} "  # noqa: S608 (names from the models)
              f"WHERE {q(col.pk)} > %s ORDER BY {q(col.pk)} LIMIT {int(batch)}")
    last = None
    while True:
        cursor.execute(select, [last if last is not None else -1])
        rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _update(cursor, col, changes):
    """changes: [(pk, {column: value})], written in one statement per row."""
    q = cursor.db.ops.quote_name
    for pk, values in changes:
        sets = ", ".join(f"{q(name)} = %s" for name in values)
        cursor.execute(f"UPDATE {q(col.table)} SET {sets} WHERE {q(col.pk)} = %s",  # noqa: S608
                       [*values.values(), pk])


def _wanted(col, stored, plain):
    """What a row's columns should hold: the token kept when it is under the current key."""
    values = {col.column: stored if stored and len(stored) > PLAIN_MAX and is_current(stored) else encrypt_phone(plain)}
    if col.hash_column:
        values[col.hash_column] = phone_digest(plain)
    if col.prefix_column:
        values[col.prefix_column] = (plain or "")[:PREFIX_DIGITS]
    return values


def _row(col, row):
    names = [col.column, *(c for c in (col.hash_column, col.prefix_column) if c)]
    return row[0], dict(zip(names, row[1:], strict=True))


def _plain(stored):
    """The number a stored value holds: a plaintext one (before the migration) as it is."""
    if not stored or len(stored) <= PLAIN_MAX:
        return stored or ""
    return decrypt_phone(stored)


def encrypt_all(col, using=None, say=None, batch=BATCH):
    """Bring every row of `col` to the current keys, `batch` rows a transaction; returns (rows,
    rows changed). `say(col, rows so far, changed so far)` after each batch."""
    connection = using or default_connection
    seen = changed = 0
    with connection.cursor() as cursor:
        for rows in _batches(cursor, col, batch):
            changes = []
            for row in rows:
                pk, stored = _row(col, row)
                wanted = _wanted(col, stored[col.column], _plain(stored[col.column]))
                diff = {name: value for name, value in wanted.items() if stored[name] != value}
                if diff:
                    changes.append((pk, diff))
            with transaction.atomic(using=connection.alias):
                _update(cursor, col, changes)
            seen, changed = seen + len(rows), changed + len(changes)
            if say:
                say(col, seen, changed)
    return seen, changed


def decrypt_all(col, using=None):
    """Write every row of `col` back in plain text (a migration undone); hashes emptied."""
    connection = using or default_connection
    with connection.cursor() as cursor:
        for rows in _batches(cursor, col):
            changes = []
            for row in rows:
                pk, stored = _row(col, row)
                values = {col.column: _plain(stored[col.column])}
                if col.hash_column:
                    values[col.hash_column] = ""
                changes.append((pk, values))
            with transaction.atomic(using=connection.alias):
                _update(cursor, col, changes)


@dataclasses.dataclass
class State:
    """`wenming phones verify`'s count for one column."""

    col: Column
    rows: int = 0
    current: int = 0  # under the current key (or empty)
    older: int = 0  # readable with an older key only: `rotate` re-encrypts them
    plain: int = 0  # not encrypted at all
    unreadable: int = 0  # no configured key opens them
    stale_hash: int = 0  # a hash under another hash key (or none)


def verify(col, using=None):
    connection = using or default_connection
    state = State(col)
    with connection.cursor() as cursor:
        for rows in _batches(cursor, col):
            for row in rows:
                _, stored = _row(col, row)
                value = stored[col.column]
                state.rows += 1
                if value and len(value) <= PLAIN_MAX:
                    state.plain += 1
                    plain = value
                elif is_current(value):
                    state.current += 1
                    plain = decrypt_phone(value)
                else:
                    try:
                        plain = decrypt_phone(value)
                    except PhoneKeyError:
                        state.unreadable += 1
                        continue
                    state.older += 1
                if col.hash_column and stored[col.hash_column] != phone_digest(plain):
                    state.stale_hash += 1
    return state


def migration(app_label, *model_names):
    """The RunPython pair of a data migration: encrypt (and hash) the plaintext rows of these
    models' phone columns, or write them back in plain text."""

    def chosen(apps):
        tables = {apps.get_model(app_label, name)._meta.db_table for name in model_names}
        return [col for col in columns(apps) if col.table in tables]

    def forward(apps, schema_editor):
        for col in chosen(apps):
            encrypt_all(col, using=schema_editor.connection)

    def backward(apps, schema_editor):
        for col in chosen(apps):
            decrypt_all(col, using=schema_editor.connection)

    return forward, backward
