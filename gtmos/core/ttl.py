"""A value read from the database and kept in this process for a few seconds, read again by one thread at a time.

The swarm's workers run 120 threads each. With a plain "expired → read it" cache, every thread that looked
while the value was being read again read it too: the first wave of a 50-lead burst (200 sync agents at once,
after a quiet spell that expired the cache) sent the same two or three settings statements from nearly every
thread. Here one thread reads; the others keep the value they had meanwhile (older by at most one read). With no
value yet, or after ``clear()`` (a save in this process), they wait for that one read instead. A ``ttl`` of 0
(the tests) reads on every call, as before.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class TtlValue(Generic[T]):
    def __init__(self, load: Callable[[], T]):
        self._load = load
        self._hit: tuple[float, T] | None = None
        self._reading = threading.Lock()
        self._generation = 0  # bumped by clear(): a read that began before it is returned, not kept

    def get(self, ttl: float) -> T:
        if ttl <= 0:
            return self._load()
        hit = self._hit
        if hit is not None and time.monotonic() - hit[0] < ttl:
            return hit[1]
        if not self._reading.acquire(blocking=hit is None):
            return hit[1]  # another thread is reading it again: the current value will do meanwhile
        try:
            hit = self._hit  # it may have been read while this thread waited for the lock
            if hit is not None and time.monotonic() - hit[0] < ttl:
                return hit[1]
            started, generation = time.monotonic(), self._generation
            value = self._load()
            if generation == self._generation:
                self._hit = (started, value)
            return value
        finally:
            self._reading.release()

    def clear(self) -> None:
        self._generation += 1
        self._hit = None
