"""read() with its SDR and CSM parts on a second connection (issue 21: 10,000 reps): the same readings in the
same order as one sequential pass, only in a run's outermost transaction, and a failure beside fails the read.

These tests commit (``transaction=True``): the helper imports the run's snapshot on its own connection."""

import threading

import pytest
from django.db import transaction

from coaching.metrics import read, reps_of, sdr
from coaching.services.batch import reads_beside
from gtmos.crm.models import Employee

from .conftest import AS_OF
from .test_queries import populate

pytestmark = pytest.mark.django_db(transaction=True)


def helper_threads() -> list[str]:
    """Helper threads still running once their work is done (each ends just after handing its result over)."""
    helpers = [t for t in threading.enumerate() if t.name.startswith("snapshot-read")]
    for t in helpers:
        t.join(timeout=10)
    return [t.name for t in helpers if t.is_alive()]


def test_reads_beside_give_the_serial_readings_in_the_serial_order(cs):
    populate(3, 0)
    reps = reps_of(Employee.objects.all())
    serial = read(reps, AS_OF, cs)
    with transaction.atomic():
        beside = reads_beside()
        assert beside is not None
        overlapped = read(reps, AS_OF, cs, beside=beside)
    assert len(serial) == 12
    assert [(rep_id, list(codes.items())) for rep_id, codes in overlapped.items()] == [
        (rep_id, list(codes.items())) for rep_id, codes in serial.items()
    ]
    assert helper_threads() == []


def test_no_reads_beside_inside_a_callers_transaction_or_when_turned_off(cs, settings):
    with transaction.atomic(), transaction.atomic():
        assert reads_beside() is None  # a caller's uncommitted writes would be invisible to the helper
    settings.COACHING_READ_OVERLAP = False
    with transaction.atomic():
        assert reads_beside() is None


def test_a_failure_beside_fails_the_read(cs, monkeypatch):
    populate(1, 0)
    reps = reps_of(Employee.objects.all())

    def failing(*args, **kwargs):
        raise RuntimeError("injected failure beside")

    monkeypatch.setattr(sdr, "compute", failing)
    with pytest.raises(RuntimeError, match="injected failure beside"), transaction.atomic():
        read(reps, AS_OF, cs, beside=reads_beside())
    assert helper_threads() == []
