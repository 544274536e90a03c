"""The API's usage batches in one statement each (issue 21: 5,000-row batches at ≥ 20,000 rows/s).

``merge`` (merge.py) resolves the references in Python — one read per kind, 5,000 keys sent and 5,000 rows
read back and mapped — then creates, fills and drops a staging table. For a batch already in memory that
was most of the request: the read and its mapping cost more CPU than the write, and the temp table is
catalog work (create, alter, drop at commit) on every request. Here the batch goes to PostgreSQL as one
array per column, ``unnest`` stands in for the staging table, and the references resolve in the same
statement, a probe of the referenced table's unique key per row — the same ``INSERT … ON CONFLICT DO UPDATE … WHERE
… IS DISTINCT FROM`` as ``merge``, the same last-row-wins (``DISTINCT ON`` the key, the latest line first).

All or nothing: the insert's source is empty when any reference is missing, and the statement returns every
missing line, so the caller names each bad row and nothing is written. The foreign keys stay as they are
(checked by PostgreSQL at commit): the probe only means they always hold.

Only for a spec whose ``values`` is a projection — each column is the payload's value under the column's
attname, or a required reference's id — which ``columnar`` says: the usage feed's two tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import connection, models

from .merge import MergeSpec, conflict_clause


def columnar(spec: MergeSpec) -> bool:
    """Whether ``merge_columns`` can write this spec: plain required references (no case folding, no extra
    columns, no ordering), no cross-record rules, no per-row workflow, no creation hook."""
    return (
        spec.copy_line is not None
        and spec.rules is None
        and spec.after is None
        and spec.on_created is None
        and not spec.insert_only
        and all(r.required and not r.lower and not r.extra and not r.order_by for r in spec.references)
    )


def merge_columns(spec: MergeSpec, columns: dict[str, Sequence]) -> tuple[list[tuple[int, str, str]], int]:
    """Merge a batch given as one sequence per payload field (every field the spec's columns need, equally
    long). Returns ``(missing, rows)``: (index, field, message) per row whose reference matches nothing —
    in which case nothing was written — and the number of rows merged."""
    assert columnar(spec), spec
    lengths = {len(values) for values in columns.values()}
    assert len(lengths) == 1, "every column as long as the batch"
    (count,) = lengths
    if not count:
        return [], 0
    q = connection.ops.quote_name
    meta = spec.model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    by_ref = {r.to: r for r in spec.references}
    # The batch as unnest's columns: the references' values (text), then the table's own columns.
    sources, arrays = [], []
    for i, ref in enumerate(spec.references):
        sources.append((f"_ref{i}", "text"))
        arrays.append(_array(columns[ref.field], blank_is_null=True))
    for f in fields:
        if f.attname not in by_ref:
            sources.append((f.column, _array_type(f)))
            arrays.append(_array(columns[f.attname]))
    unnest = ", ".join(f"%s::{kind}[]" for _, kind in sources)
    names = ", ".join(q(name) for name, _ in sources)
    # Each reference as a correlated subquery on the referenced table's unique key: one index probe per row,
    # whatever the table's size. As a join the planner hashed the whole table (100,000 accounts read to
    # match 5,000), a cost that grows with the accounts, not the batch.
    picks = []
    for i, ref in enumerate(spec.references):
        other = ref.model._meta
        picks.append(
            f"(SELECT r.{q(other.pk.column)} FROM {q(other.db_table)} r"
            f" WHERE r.{q(other.get_field(ref.lookup).column)} = u._ref{i}) AS {q(meta.get_field(ref.to).column)}"
        )
    own = [f"u.{q(f.column)}" for f in fields if f.attname not in by_ref]
    key = ", ".join(q(meta.get_field(k).column) for k in spec.key)
    cols = ", ".join(q(f.column) for f in fields)
    unresolved = " OR ".join(f"{q(meta.get_field(ref.to).column)} IS NULL" for ref in spec.references)
    provided = {f.attname for f in fields}
    sql = (
        f"WITH src AS MATERIALIZED ("
        f" SELECT u._line, {', '.join(picks + own)}"
        f" FROM unnest({unnest}) WITH ORDINALITY AS u({names}, _line)),"
        f" missing AS (SELECT _line FROM src WHERE {unresolved}),"
        f" merged AS ("
        f" INSERT INTO {q(meta.db_table)} ({cols})"
        f" SELECT DISTINCT ON ({key}) {cols} FROM src WHERE NOT EXISTS (SELECT FROM missing)"
        f" ORDER BY {key}, _line DESC"
        f" {conflict_clause(spec, fields, provided)} RETURNING 1)"
        f" SELECT (SELECT array_agg(_line ORDER BY _line) FROM missing), (SELECT count(*) FROM merged)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)
        lines, _ = cursor.fetchone()
    if not lines:
        return [], count
    return _missing(spec, columns, lines, count), 0


def _missing(spec: MergeSpec, columns, lines: list[int], count: int) -> list[tuple[int, str, str]]:
    """Name each unresolved reference of the missing lines, reference by reference as ``resolve_references``
    reports them (a line with two missing references is named twice)."""
    if len(spec.references) == 1:
        ref = spec.references[0]
        values = columns[ref.field]
        return [(line - 1, ref.field, f"no record matches {values[line - 1]!r}") for line in lines]
    # Several references: find which of them each missing line lacks (rare, and only on the error path).
    errors = []
    for ref in spec.references:
        values = columns[ref.field]
        wanted = list({values[line - 1] for line in lines if values[line - 1] not in (None, "")})
        other = ref.model._meta
        column = connection.ops.quote_name(other.get_field(ref.lookup).column)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {column} FROM {connection.ops.quote_name(other.db_table)} WHERE {column} = ANY(%s)", [wanted]
            )
            found = {row[0] for row in cursor.fetchall()}
        errors.extend(
            (line - 1, ref.field, f"no record matches {values[line - 1]!r}")
            for line in lines
            if values[line - 1] in (None, "") or values[line - 1] not in found
        )
    return errors


def _array_type(field: models.Field) -> str:
    """The element type unnest casts to: the column's type, text for character columns (a varchar(n) cast would
    cut a longer value silently; text into the column raises instead)."""
    if isinstance(field, (models.CharField, models.TextField)):
        return "text"
    return field.db_type(connection)


def _array(values: Sequence, *, blank_is_null: bool = False) -> str:
    """A PostgreSQL array literal of the values (one parameter, parsed once by the server: ARRAY[…] of 5,000
    literals cost the server more to parse than to use). Text is always quoted, so no value can break out."""
    first = next((v for v in values if v is not None), None)
    if isinstance(first, int) and not isinstance(first, bool) and None not in values:
        return "{" + ",".join(map(str, values)) + "}"
    if isinstance(first, dt.date) and not isinstance(first, dt.datetime) and None not in values:
        return "{" + ",".join(v.isoformat() for v in values) + "}"
    return "{" + ",".join(_element(v, blank_is_null) for v in values) + "}"


def _element(value, blank_is_null: bool) -> str:
    if value is None or (blank_is_null and value == ""):
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    text = str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
