"""The one injectable clock every day/week rule reads.

Production reads the real time; tests (and demos) move it with ``clock.frozen(at)`` / ``clock.advance``
so rules measured in days and weeks can be walked in seconds, without sleeps.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    return _frozen if _frozen is not None else timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


def set_now(at: dt.datetime | None) -> None:
    global _frozen
    if at is not None and timezone.is_naive(at):
        at = timezone.make_aware(at, dt.UTC)
    _frozen = at


def advance(**delta: float) -> dt.datetime:
    """Move a frozen clock forward (``advance(days=7)``)."""
    if _frozen is None:
        raise RuntimeError("clock.advance() needs a frozen clock; use clock.frozen() first")
    set_now(_frozen + dt.timedelta(**delta))
    return _frozen


@contextlib.contextmanager
def frozen(at: dt.datetime | dt.date) -> Iterator[None]:
    if isinstance(at, dt.date) and not isinstance(at, dt.datetime):
        at = dt.datetime.combine(at, dt.time(9, 0))
    previous = _frozen
    set_now(at)
    try:
        yield
    finally:
        set_now(previous)
