"""Many coaching rows written in one statement, whatever the number of reps (issue 5: the query count of
the weekly, daily and monthly runs must not grow with the reps).

Django's ``bulk_update`` writes a ``CASE WHEN pk = … THEN …`` per field per row, in batches: the statement
count grows with the rows, the server walks the CASE list for every row (quadratic), and building the
expression tree dominates the weekly run's Python time at 2,000 reps. ``rows_update`` sends the values as
one array per column and joins on the primary key instead: one statement, linear."""

from __future__ import annotations

from django.db import connection


def rows_update(model, objs, fields: list[str]) -> int:
    """``model.objects.bulk_update(objs, fields)`` as one ``UPDATE … FROM unnest(…)``. Returns the rows
    updated."""
    objs = list(objs)
    if not objs:
        return 0
    meta = model._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    qn = connection.ops.quote_name
    arrays = [[f.get_db_prep_save(getattr(o, f.attname), connection) for o in objs] for f in columns]
    aliases = [f"c{i}" for i in range(len(columns))]
    unnest = ", ".join(f"%s::{f.cast_db_type(connection)}[]" for f in columns)
    assignments = ", ".join(f"{qn(f.column)} = v.{alias}" for f, alias in zip(columns[1:], aliases[1:]))
    table = qn(meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM unnest({unnest}) AS v({', '.join(aliases)}) "
            f"WHERE {table}.{qn(meta.pk.column)} = v.c0",
            arrays,
        )
        return cursor.rowcount
