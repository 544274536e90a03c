"""Work after commit that must never fail the request that committed.

Django's ``on_commit(func, robust=True)`` logs a failing callback with ``func.__qualname__``, which a
``functools.partial`` lacks: the logging line itself raised ``AttributeError`` and the prospect whose lead,
session and run were saved got a 500 (issue 21: a broker outage mid-burst). ``after_commit`` catches and logs
the failure itself, naming the function, so a broker or mail server that is down costs a warning; the sweeper
or the next scheduled job does the work later.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)


class quietly(partial):  # noqa: N801 (a partial, named like one)
    """``partial(func, *args, **kwargs)`` whose call logs an exception instead of raising it."""

    def __new__(cls, func, /, *args, **kwargs):
        self = super().__new__(cls, func, *args, **kwargs)
        self.__qualname__ = _name(func)  # what Django's robust logging reads
        return self

    def __call__(self, /, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except Exception:
            logger.warning(
                "after-commit %s failed; it is retried by its sweep or job", self.__qualname__, exc_info=True
            )
            return None


def _name(func) -> str:
    task = getattr(getattr(func, "__self__", None), "name", None)  # a Celery task's bound delay/apply_async
    if isinstance(task, str):
        return f"{task}.{func.__name__}"
    return getattr(func, "__qualname__", None) or repr(func)


def after_commit(func, /, *args, **kwargs) -> None:
    """Call ``func(*args, **kwargs)`` once the current transaction commits; a failure is logged, never
    raised into the caller (whose data is already committed)."""
    transaction.on_commit(quietly(func, *args, **kwargs), robust=True)
