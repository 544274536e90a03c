"""Fast inserts (demo data, benchmarks, the daily health log) through PostgreSQL COPY.

Primary keys are assigned here (from the table's current maximum) so rows can reference each other
without a round trip; sequences are reset afterwards.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import orjson
from django.core.management.color import no_style
from django.db import connection, models

# psycopg2 reads a COPY source in pieces of this many characters, taking the GIL for each: from a helper
# thread next to a busy one, each piece may wait a GIL switch interval (5 ms), so the pieces are large.
COPY_READ_SIZE = 1 << 22


class IdAllocator:
    def __init__(self):
        self._next: dict[type[models.Model], int] = {}

    def take(self, model: type[models.Model], count: int = 1) -> int:
        """Reserve ``count`` ids for ``model``; returns the first."""
        if model not in self._next:
            current = model.objects.aggregate(m=models.Max("pk"))["m"] or 0
            self._next[model] = current + 1
        first = self._next[model]
        self._next[model] += count
        return first

    def reset_sequences(self) -> None:
        if not self._next:
            return
        statements = connection.ops.sequence_reset_sql(no_style(), list(self._next))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _copy_text(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dict, list)):
        return copy_json(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    value = str(value)
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence],
    line: Callable[[Sequence], str] | None = None,
) -> int:
    """Insert tuples (in ``columns`` order, by attname) into ``model``'s table. Returns the row count.

    ``line`` optionally formats a row as one COPY text line (tab-separated, escaped, no newline): a hot
    path that knows its column types can skip the per-value type dispatch.
    """
    return _copy(model, columns, rows, line or _copy_line)


def _copy_line(row: Sequence) -> str:
    return "\t".join(_copy_text(v) for v in row)


def copy_json(value) -> str:
    """A dict or list as COPY text: compact JSON (orjson: the health log writes ~100 MB of it a day). JSON
    escapes control characters itself, so only its backslashes need escaping for COPY."""
    text = orjson.dumps(value).decode()
    return text.replace("\\", "\\\\") if "\\" in text else text


def _copy_sql(model, columns) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
    return f"COPY {table} ({cols}) FROM STDIN"


def _copy(model, columns, rows, line) -> int:
    """ONE COPY statement for all of ``rows`` (the statement count is the same for 10 rows or a million). The
    rows are formatted before the COPY starts: a row generator may itself query (ids, lookups), and nothing
    else can use the connection while a COPY is in progress."""
    lines = [line(row) for row in rows]
    if not lines:
        return 0
    lines.append("")  # the last line's newline
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(_copy_sql(model, columns), io.StringIO("\n".join(lines)), size=COPY_READ_SIZE)
    return len(lines) - 1


class CopyStream:
    """COPY batches of text lines (each ending in a newline) into ``model``'s table, on the calling thread's
    connection and in its transaction.

    With ``background``, each batch is sent from a helper thread while the caller prepares the next (the
    server parses and inserts while Python works; psycopg2 releases the GIL while it waits on the socket).
    One batch is in flight at a time; until ``close`` the caller must not use the connection itself. An
    error in a batch is raised by the next ``send`` or by ``close``; leaving the block on an error waits for
    the batch in flight, so the transaction can roll back.
    """

    def __init__(self, model: type[models.Model], columns: Sequence[str], *, background: bool = False):
        self.sql = _copy_sql(model, columns)
        self.rows = 0
        self._pending: Future | None = None
        self._executor = None
        if background:
            connection.ensure_connection()
            self._raw = connection.connection  # psycopg2's connection, shared with the helper thread
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="copy-stream")

    def send(self, text: str, rows: int) -> None:
        if not rows:
            return
        if self._executor is None:
            with connection.cursor() as cursor:
                cursor.cursor.copy_expert(self.sql, io.StringIO(text), size=COPY_READ_SIZE)
        else:
            self._wait()
            self._pending = self._executor.submit(self._copy, text)
        self.rows += rows

    def _copy(self, text: str) -> None:
        with self._raw.cursor() as cursor:
            cursor.copy_expert(self.sql, io.StringIO(text), size=COPY_READ_SIZE)

    def _wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> int:
        """Wait for the last batch; the number of rows sent."""
        try:
            self._wait()
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
        return self.rows

    def __enter__(self) -> CopyStream:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
            return
        try:
            self.close()  # the batch in flight must end before the transaction rolls back
        except Exception:  # noqa: BLE001 - the error that is already raising is the one to report
            pass
