"""The daily run with its reads prefetched on a second connection and its COPY in the background (issue 21).

These tests commit (``transaction=True``): the reader imports the job's snapshot on its own connection, which
only happens when the job's transaction is the outermost one.
"""

import datetime as dt
import threading

import pytest
from django.db import connection

from gtmos.audit.models import Notification
from gtmos.core import bulk, clock
from gtmos.crm.models import UsageDaily
from gtmos.health.models import ChurnRiskLog, CustomerHealthLog, RetentionTask
from gtmos.health.services import daily, reader, risk
from gtmos.health.services.daily import health_daily
from tests.health.conftest import Book, quiet
from tests.health.test_daily import snapshot

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
DAY = dt.timedelta(days=1)
HELPER_THREADS = ("health-daily-reader", "copy-stream")


class Undo(Exception):
    """Raised at the end of a run to roll it back, after its outcome is read inside its transaction."""


@pytest.fixture
def two_days(frozen_clock, settings):
    """Ten customers (five at risk) scored yesterday, one of them without usage since: chunks of three."""
    book = Book()
    for n in range(5):
        book.healthy(book.customer(f"Healthy {n}"))
        quiet(book, f"Quiet {n}")
    health_daily()
    clock.advance(days=1)
    UsageDaily.objects.filter(account__name="Healthy 2").delete()
    settings.HEALTH_DAILY_CHUNK = 3
    return book


def outcome_of_run(monkeypatch) -> tuple:
    """Today's run, its rows and follow-ups read in its transaction, then rolled back."""
    seen = {}
    escalate = risk.overdue_tasks_escalate

    def read_then_undo(**kwargs):
        seen["escalated"] = escalate(**kwargs)
        seen["outcome"] = (
            snapshot(),
            sorted(ChurnRiskLog.objects.values_list("account_id", "stage", "score_at_open", "signals")),
            sorted(RetentionTask.objects.values_list("account_id", "title", "due_on")),
            sorted(Notification.objects.values_list("recipient_id", "dedupe_key", "title", "body")),
        )
        raise Undo

    monkeypatch.setattr(risk, "overdue_tasks_escalate", read_then_undo)
    with pytest.raises(Undo):
        health_daily()
    monkeypatch.setattr(risk, "overdue_tasks_escalate", escalate)
    return seen["outcome"]


def spy_on_prefetch(monkeypatch) -> list:
    started = []
    original = reader.prefetched

    def spy(reads, *, snapshot):
        started.append(snapshot)
        return original(reads, snapshot=snapshot)

    monkeypatch.setattr(reader, "prefetched", spy)
    return started


def helper_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith(HELPER_THREADS)]


def test_the_overlapped_run_writes_what_the_serial_run_writes(two_days, settings, monkeypatch):
    settings.HEALTH_DAILY_OVERLAP = False
    serial = outcome_of_run(monkeypatch)
    settings.HEALTH_DAILY_OVERLAP = True
    prefetches = spy_on_prefetch(monkeypatch)
    overlapped = outcome_of_run(monkeypatch)
    assert prefetches, "the run prefetched its reads"
    assert overlapped == serial
    assert len(serial[0]) == 20 and serial[1] and serial[3]  # both days' rows; cases and notices written
    assert helper_threads() == []


def test_the_reader_sees_the_data_as_of_the_jobs_snapshot(two_days, monkeypatch):
    """A write committed after the job took its snapshot is not read, in the first chunk or the last."""
    export = reader.export_snapshot

    def export_then_commit_elsewhere():
        taken = export()

        def delete_usage():
            UsageDaily.objects.filter(account__name__in=["Healthy 0", "Healthy 4"]).delete()
            connection.close()

        other = threading.Thread(target=delete_usage)
        other.start()
        other.join()
        return taken

    monkeypatch.setattr(reader, "export_snapshot", export_then_commit_elsewhere)
    health_daily()
    today = CustomerHealthLog.objects.filter(day=clock.today())
    assert UsageDaily.objects.filter(account__name__in=["Healthy 0", "Healthy 4"]).count() == 0
    for name in ("Healthy 0", "Healthy 4"):
        assert today.get(account__name=name).measures["login_frequency"] is not None
    assert today.get(account__name="Healthy 2").measures["login_frequency"] is None  # deleted before the job
    monkeypatch.setattr(reader, "export_snapshot", export)
    health_daily()  # the rerun, in a new snapshot, sees the deletion
    assert today.get(account__name="Healthy 0").measures["login_frequency"] is None


def fail_on_second_chunk(monkeypatch, module, name):
    calls = []
    original = getattr(module, name)

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("injected failure")
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, failing)


@pytest.mark.parametrize(
    "where",
    [
        (reader, "account_inputs"),  # in the reader thread
        (reader, "_previous_records"),  # in the reader thread, after the chunk's inputs
        (daily, "score_account"),  # in the job's loop, with the reader a chunk ahead
        (bulk.CopyStream, "_copy"),  # in the COPY thread
    ],
    ids=["inputs", "previous", "scoring", "copy"],
)
def test_an_error_in_any_thread_aborts_the_day_cleanly(two_days, monkeypatch, where):
    before = (CustomerHealthLog.objects.count(), ChurnRiskLog.objects.count(), Notification.objects.count())
    prefetches = spy_on_prefetch(monkeypatch)
    fail_on_second_chunk(monkeypatch, *where)
    with pytest.raises(RuntimeError, match="injected failure"):
        health_daily()
    assert prefetches
    assert helper_threads() == []  # no thread left behind, none hung
    assert (CustomerHealthLog.objects.count(), ChurnRiskLog.objects.count(), Notification.objects.count()) == before
    assert not CustomerHealthLog.objects.filter(day=clock.today()).exists()
    monkeypatch.undo()
    assert health_daily()["accounts"] == 10  # the connection is usable; the day runs


@pytest.mark.parametrize("overlap", [True, False])
def test_every_chunk_is_read_with_the_jobs_planner_settings(two_days, settings, monkeypatch, overlap):
    """random_page_cost 1.1 and no JIT (reader.CHUNK_SESSION) on whichever connection reads the chunks: with the
    defaults each chunk of a million-customer book scanned the whole usage table."""
    settings.HEALTH_DAILY_OVERLAP = overlap
    seen = []
    original = reader.account_inputs

    def spy(**kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('random_page_cost'), current_setting('jit')")
            seen.append(cursor.fetchone())
        return original(**kwargs)

    monkeypatch.setattr(reader, "account_inputs", spy)
    health_daily()
    assert seen and set(seen) == {("1.1", "off")}
    with connection.cursor() as cursor:  # SET LOCAL: they ended with the job's transaction
        cursor.execute("SELECT current_setting('random_page_cost'), current_setting('jit')")
        assert cursor.fetchone() == ("4", "on")
