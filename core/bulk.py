"""Writing many rows, each with its own values, in one statement per batch: an upsert
(the mirror engine's) and an update (the job engine's poll tick).

Django's bulk_create compiles a placeholder and prepares every value through its field,
which for 10,000 takes cost more than the database itself did: `upsert_rows` sends one
INSERT ... ON CONFLICT DO UPDATE for every row of a batch (executemany), preparing only
the values that need it.

Django's bulk_update writes `SET col = CASE WHEN pk=1 THEN ... WHEN pk=2 ... END` for
every column: building it costs Python time per row and column, and SQLite evaluates
each CASE row by row, so a batch costs rows x rows. `UPDATE ... FROM (VALUES ...)`
joins on the primary key instead: linear, on PostgreSQL and SQLite (3.33+) alike. A poll
tick that sees thousands of jobs change at once depends on it to finish in time.
"""

from collections.abc import Iterable
from datetime import datetime
from itertools import islice

from django.db import connections, router
from django.db.models import (
    BooleanField,
    CharField,
    ForeignKey,
    IntegerField,
    Model,
    TextField,
)
from django.db.models.constants import OnConflict

# Rows per statement: inside PostgreSQL's 65,535 and SQLite's 32,766 variables.
BATCH = 1000
# Columns whose values both databases take as Python gives them (a str, a bool, an int,
# a key's int, or None); others are prepared by their field (times, JSON, floats).
PLAIN = (CharField, TextField, BooleanField, IntegerField, ForeignKey)
AS_IS = (str, bool, int)


class Encoded(str):
    """A JSON column's value already encoded as JSON text: sent as it is (both databases
    read JSON from text), not encoded a second time."""


def batches(items: Iterable, size: int = BATCH):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def upsert_rows(model, rows: list[dict], *, unique: list[str], update: list[str]) -> int:
    """Insert each row (a dict of field names or attnames; a model instance stands for
    its primary key, a missing column takes its default), or where `unique` matches a
    row already there, write its `update` fields. Returns rows sent."""
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    # A generated column is the database's to write.
    columns = [f for f in meta.concrete_fields if f is not meta.pk and not f.generated]
    named = {f.name: f for f in meta.concrete_fields}
    conflict = connection.ops.on_conflict_suffix_sql(
        columns,
        OnConflict.UPDATE,
        [named[name].column for name in update],
        [named[name].column for name in unique],
    )
    # Only the model's own table and column names, quoted; the values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({}) {}".format(  # noqa: S608
        quote(meta.db_table),
        ", ".join(quote(f.column) for f in columns),
        ", ".join(["%s"] * len(columns)),
        conflict,
    )
    attnames = {f.name: f.attname for f in columns}
    defaults = {f.attname: f.get_default() for f in columns}
    kinds = [(f, isinstance(f, PLAIN)) for f in columns]
    # A time many rows share (when this sync saw them) is prepared once.
    prepared: dict = {}
    params = []
    for row in rows:
        values = dict(defaults)
        for name, value in row.items():
            values[attnames.get(name, name)] = value.pk if isinstance(value, Model) else value
        sent = []
        for f, plain in kinds:
            value = values[f.attname]
            if plain and (value is None or type(value) in AS_IS):
                sent.append(value)
            elif type(value) is Encoded:
                sent.append(str(value))
            elif type(value) is datetime:
                key = (f.attname, value)
                if key not in prepared:
                    prepared[key] = f.get_db_prep_save(value, connection)
                sent.append(prepared[key])
            else:
                sent.append(f.get_db_prep_save(value, connection))
        params.append(sent)
    with connection.cursor() as cursor:
        for batch in batches(params):
            cursor.executemany(sql, batch)
    return len(params)


def update_rows(model, objs, fields: list[str], batch_size: int = BATCH) -> int:
    """Write `fields` of each object in `objs` to its row; returns rows sent."""
    objs = list(objs)
    if not objs:
        return 0
    connection = connections[router.db_for_write(model)]
    if connection.vendor not in ("postgresql", "sqlite"):
        model._default_manager.bulk_update(objs, fields, batch_size=batch_size)
        return len(objs)
    quote = connection.ops.quote_name
    meta = model._meta
    columns = [meta.pk] + [meta.get_field(name) for name in fields]
    if connection.vendor == "postgresql":
        # VALUES has no column types of its own: say them, or a NULL in the first row
        # leaves its column typed as text.
        cell = [f"CAST(%s AS {field.db_type(connection)})" for field in columns]
    else:
        cell = ["%s"] * len(columns)  # SQLite stores what it is given
    row = "(" + ", ".join(cell) + ")"
    table = quote(meta.db_table)
    assignments = ", ".join(
        f"{quote(field.column)} = v.column{i}" for i, field in enumerate(columns[1:], start=2)
    )
    with connection.cursor() as cursor:
        for batch in batches(objs, batch_size):
            params = [
                field.get_db_prep_save(getattr(obj, field.attname), connection)
                for obj in batch
                for field in columns
            ]
            cursor.execute(
                f"UPDATE {table} SET {assignments} "  # noqa: S608 - names from model meta
                f"FROM (VALUES {', '.join([row] * len(batch))}) AS v "
                f"WHERE {table}.{quote(meta.pk.column)} = v.column1",
                params,
            )
    return len(objs)
