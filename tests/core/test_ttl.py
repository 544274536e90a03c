"""gtmos.core.ttl: a settings value cached per process, read again by one thread at a time (the swarm workers'
120 threads used to read it all at once when it expired)."""

from __future__ import annotations

import threading
import time

from gtmos.core.ttl import TtlValue


def test_within_the_ttl_it_is_read_once_and_a_ttl_of_zero_reads_every_time():
    reads = []
    value = TtlValue(lambda: reads.append(1) or len(reads))
    assert [value.get(60) for _ in range(5)] == [1] * 5
    assert [value.get(0) for _ in range(3)] == [2, 3, 4]  # the tests' setting: every check reads


def test_when_it_expires_one_thread_reads_it_and_the_others_keep_the_value_they_had():
    started, release, reads = threading.Event(), threading.Event(), []

    def load():
        reads.append(1)
        if len(reads) > 1:  # the re-read: slow, so the other threads arrive while it runs
            started.set()
            release.wait(10)
        return len(reads)

    value = TtlValue(load)
    assert value.get(0.05) == 1
    time.sleep(0.06)  # expired
    got = []
    reader = threading.Thread(target=lambda: got.append(value.get(0.05)))
    reader.start()
    assert started.wait(10)
    others = [threading.Thread(target=lambda: got.append(value.get(0.05))) for _ in range(20)]
    for t in others:
        t.start()
    for t in others:
        t.join(10)
    assert got == [1] * 20 and len(reads) == 2  # twenty threads, no second re-read: the old value meanwhile
    release.set()
    reader.join(10)
    assert got[-1] == 2 and value.get(60) == 2


def test_after_clear_callers_wait_for_the_read_and_a_read_begun_before_the_clear_is_not_kept():
    reads, entered, release = [], threading.Event(), threading.Event()

    def load():
        reads.append(1)
        if len(reads) == 1:
            entered.set()
            release.wait(10)
        return len(reads)

    value = TtlValue(load)
    got = []
    first = threading.Thread(target=lambda: got.append(value.get(60)))
    first.start()
    assert entered.wait(10)
    value.clear()  # a save in this process while the first read was under way
    release.set()
    first.join(10)
    assert got == [1]  # that caller gets what it read…
    assert value.get(60) == 2  # …but the next one reads again: the value from before the save is not kept
