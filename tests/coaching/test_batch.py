"""A coaching run's session: work_mem and jit for its transaction only, the cycle collector paused for the
run and restored after it (issue 21)."""

import gc

import pytest
from django.db import connection, transaction

from coaching.services.batch import WORK_MEM, batch_session
from coaching.services.weekly import coaching_weekly

from .conftest import week


def setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_batch_session_settings_end_with_the_runs_transaction():
    default_mem = setting("work_mem")
    with transaction.atomic():
        with batch_session():
            assert (setting("work_mem"), setting("jit")) == (WORK_MEM, "off")
            assert not gc.isenabled()
        assert gc.isenabled()
    assert setting("work_mem") == default_mem


@pytest.mark.django_db
def test_batch_session_leaves_a_paused_collector_paused():
    gc.disable()
    try:
        with transaction.atomic(), batch_session():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.django_db
def test_run_that_fails_restores_the_collector(monkeypatch):
    from coaching import metrics

    monkeypatch.setattr(metrics, "measure", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        coaching_weekly(week=week(0))
    assert gc.isenabled()
