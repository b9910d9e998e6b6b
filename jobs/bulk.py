"""Updating many rows, each with its own values, in one statement per batch.

Django's bulk_update writes `SET col = CASE WHEN pk=1 THEN ... WHEN pk=2 ... END` for
every column: building it costs Python time per row and column, and SQLite evaluates
each CASE row by row, so a batch costs rows x rows. `UPDATE ... FROM (VALUES ...)`
joins on the primary key instead: linear, on PostgreSQL and SQLite (3.33+) alike. A poll
tick that sees thousands of jobs change at once depends on it to finish in time.
"""

from itertools import islice

from django.db import connections, router


def _batches(items, size):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def update_rows(model, objs, fields: list[str], batch_size: int = 1000) -> int:
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
        for batch in _batches(objs, batch_size):
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
