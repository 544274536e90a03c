"""Task messages sent after commit — several at once in one broker round trip.

An email submit sends five messages (four sync agents and the run's deadline) and a settle two (the async
agents). One ``apply_async`` each cost ~1 ms of the web worker's CPU (the Redis transport builds a client per
publish, then waits for its reply), a fifth of the submit. Inside ``together()`` the messages are collected
and published after commit through kombu's publish batch (``Producer.batch()``, kombu ≥ 5.7: one pipeline of
LPUSHes).

Delivery is as before: nothing is sent unless the transaction commits (one ``on_commit``, registered where the
individual ones would have been, so a rolled-back savepoint drops it the same way), and a failed send is logged
and backed up by the sweeper: the callback is ``gtmos.core.commit.quietly``, so a broker that is down costs a
warning, never the request (a bare ``partial`` made Django's robust logging itself raise: issue 21). A batch
that fails part-way ("delivery is uncertain") is sent again message by message, with Celery's publish retry: a message delivered twice is a duplicate delivery, which every
task already treats as a quiet no-op.
"""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager

from django.db import transaction
from kombu.exceptions import KombuError

from gtmos.core.commit import quietly

logger = logging.getLogger(__name__)
_collecting = threading.local()


def send_after_commit(task, **options) -> None:
    """``task.apply_async(**options)`` once the current transaction commits (with the others of a
    ``together()`` block, if one is open)."""
    messages = getattr(_collecting, "messages", None)
    if messages is not None:
        messages.append((task, options))
    else:
        transaction.on_commit(quietly(_publish, [(task, options)]), robust=True)


@contextmanager
def together():
    """Messages sent inside go out together after commit. Nothing is registered if the block raises (its
    transaction is rolling back)."""
    if getattr(_collecting, "messages", None) is not None:
        yield  # an outer block collects them
        return
    messages: list = []
    _collecting.messages = messages
    try:
        yield
    finally:
        _collecting.messages = None
    if messages:
        transaction.on_commit(quietly(_publish, messages), robust=True)


def _publish(messages: list) -> None:
    if len(messages) == 1:
        task, options = messages[0]
        task.apply_async(**options)
        return
    app = messages[0][0].app
    try:
        with app.producer_or_acquire() as producer:
            batch = getattr(producer, "batch", None)  # kombu < 5.7, or a transport without it: one by one
            if batch is None:
                for task, options in messages:
                    task.apply_async(producer=producer, **options)
                return
            with batch():
                for task, options in messages:
                    task.apply_async(producer=producer, **options)
    except KombuError:
        logger.warning("publish batch failed; sending its %d messages one by one", len(messages), exc_info=True)
        for task, options in messages:
            task.apply_async(**options)
