"""gtmos.core.bulk: one COPY statement per insert, whatever the number of rows (the coaching and health runs'
statement counts must not grow with the book), with the text escaped and every row written."""

import psycopg2.extensions
import pytest
from django.db import connection

from gtmos.audit.models import Notification
from gtmos.core import bulk
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

COLUMNS = ["recipient_id", "rule", "title", "body", "link", "dedupe_key", "created_at"]


def _rows(n, user_id=1):
    return [
        (user_id, "bulk_test", f"row {i}", "tab\there\nnew line \\ back", "", f"bulk:{i}", "2026-12-01T00:00:00+00:00")
        for i in range(n)
    ]


@pytest.fixture
def copies():
    """The COPY statements sent to the server (they pass under Django's query capture): one per
    ``copy_expert`` on the psycopg2 cursor, counted through a wrapper on the connection's cursor factory."""
    seen = []
    connection.ensure_connection()
    raw = connection.connection

    class Counting(raw.cursor_factory or psycopg2.extensions.cursor):
        def copy_expert(self, sql, file, size=8192):
            seen.append(sql)
            return super().copy_expert(sql, file, size)

    before, raw.cursor_factory = raw.cursor_factory, Counting
    yield seen
    raw.cursor_factory = before


def test_more_rows_than_one_old_batch_are_one_statement_and_land_escaped(monkeypatch, copies):
    # More rows than the old 50,000-row batches, read by psycopg2 in many pieces.
    monkeypatch.setattr(bulk, "COPY_READ_SIZE", 1 << 16)
    written = bulk.insert(Notification, COLUMNS, iter(_rows(50_001, UserFactory().pk)))
    assert written == 50_001
    assert len(copies) == 1
    assert Notification.objects.filter(rule="bulk_test").count() == 50_001
    assert Notification.objects.get(dedupe_key="bulk:50000").body == "tab\there\nnew line \\ back"


def test_no_rows_writes_nothing(copies):
    assert bulk.insert(Notification, COLUMNS, iter([])) == 0
    assert copies == []
    assert not Notification.objects.filter(rule="bulk_test").exists()


def test_a_row_generator_may_query_the_database(copies):
    """Demo and bench builders number their rows from the table's maximum id as they go: their queries run
    before the COPY starts, never inside it."""
    user = UserFactory()

    def rows():
        for i in range(3):
            Notification.objects.filter(rule="bulk_test").count()  # a query between rows
            yield _rows(1, user.pk)[0][:5] + (f"bulk:q{i}", "2026-12-01T00:00:00+00:00")

    assert bulk.insert(Notification, COLUMNS, rows()) == 3
    assert len(copies) == 1
    assert Notification.objects.filter(rule="bulk_test").count() == 3
