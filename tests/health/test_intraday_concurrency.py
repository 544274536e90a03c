"""The dirty marks under concurrent writers and drains (issue 21), in real threads on real connections.

The marks are an append-only log: writers to one account never wait on each other, and a drain deletes only
what its snapshot saw, so a write that commits while it runs is re-scored by the next one.
"""

import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from gtmos.core import clock
from gtmos.crm.models import UsageDaily
from gtmos.health.models import HealthDirtyWrite
from gtmos.health.services.intraday import health_dirty_drain
from tests.factories import AccountFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def in_thread(fn):
    """Run ``fn`` on its own connection in a thread; return (thread, result box)."""
    box = {}

    def run():
        try:
            box["value"] = fn()
        except Exception as exc:  # the assertion reads it
            box["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, box


def usage(account, days_back: int):
    UsageDaily.objects.create(account=account, day=clock.today() - dt.timedelta(days=days_back), logins=1)


def test_two_writers_to_one_account_do_not_wait_for_each_other():
    account = AccountFactory(is_customer=True)
    HealthDirtyWrite.objects.all().delete()
    written, release = threading.Event(), threading.Event()

    def slow_writer():
        with transaction.atomic():
            usage(account, 1)
            written.set()
            release.wait(10)  # holds its transaction open

    thread, box = in_thread(slow_writer)
    assert written.wait(10)
    try:
        with connection.cursor() as cursor:  # an upsert on the account's mark would wait here, then fail
            cursor.execute("SET lock_timeout = '2s'")
        usage(account, 2)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
        release.set()
        thread.join()
    assert "error" not in box
    assert HealthDirtyWrite.pending(account.pk) == {"usage_day": 2}


def test_a_second_drain_returns_at_once_and_a_write_during_a_drain_waits_for_the_next():
    account = AccountFactory(is_customer=True)
    usage(account, 1)
    with transaction.atomic():
        first = health_dirty_drain(quiet_seconds=0, max_wait_seconds=0)
        assert first["claimed"] == 1
        # Meanwhile: another drain (an overlapping beat tick) and a new write, each on its own connection.
        thread, box = in_thread(lambda: health_dirty_drain(quiet_seconds=0, max_wait_seconds=0))
        thread.join(10)
        assert box == {"value": {"claimed": 0, "rescored": 0, "cases_opened": 0, "drop_notices": 0}}
        thread, box = in_thread(lambda: usage(account, 2))
        thread.join(10)
        assert "error" not in box
    assert HealthDirtyWrite.pending(account.pk) == {"usage_day": 1}  # the write the first drain did not see
    assert health_dirty_drain(quiet_seconds=0, max_wait_seconds=0)["claimed"] == 1
    assert not HealthDirtyWrite.objects.exists()
