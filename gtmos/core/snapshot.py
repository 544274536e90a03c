"""Reads on a second connection that see exactly what the job's transaction sees (issue 21).

A batch job alternates between PostgreSQL (reading) and Python (computing). On a machine with a core for each,
a helper thread with its own connection can read while the job computes: psycopg2 releases the GIL while it
waits on the server. The job's transaction exports its snapshot (``pg_export_snapshot``) and the helper imports
it in a REPEATABLE READ READ ONLY transaction, so both read the database as of the same moment whatever commits
meanwhile. The helper cannot see the job's own uncommitted writes, so this is only for a job whose transaction
is the outermost one and that has written nothing the helper reads (``overlap_allowed``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction


def export() -> str:
    """The current transaction's snapshot, for another connection to read the same data."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        return cursor.fetchone()[0]


def overlap_allowed(setting: str) -> bool:
    """``setting`` (default on) and the job's transaction is the outermost one: nothing a caller wrote is
    uncommitted (the test suite's transactions, for one, are invisible to a second connection)."""
    return getattr(settings, setting, True) and len(connection.atomic_blocks) == 1


def set_local(*pairs: tuple[str, str]) -> None:
    """``SET LOCAL`` each (name, value) for the current transaction (they end with it)."""
    if pairs:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(pairs)), [v for p in pairs for v in p]
            )


@contextmanager
def reading_in(snapshot: str, *local_settings: tuple[str, str]) -> Iterator[None]:
    """On a helper thread: a READ ONLY transaction in ``snapshot`` (with ``SET LOCAL`` ``local_settings``, as
    the job's own transaction has them) on the thread's own connection, closed at the end so nothing (the test
    suite's teardown) waits on it."""
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
            set_local(*local_settings)
            yield
    finally:
        connection.close()


def beside(fn: Callable[[], object], snapshot: str, *local_settings: tuple[str, str]) -> Future:
    """``fn()`` on a helper thread reading in ``snapshot``; its result (or error) through the future."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="snapshot-read")

    def run():
        with reading_in(snapshot, *local_settings):
            return fn()

    try:
        return executor.submit(run)
    finally:
        executor.shutdown(wait=False)  # the thread ends when ``fn`` does
