"""The daily job's reads, a chunk of accounts at a time: inputs and previous records, optionally prefetched.

The job alternates between PostgreSQL (reading a chunk) and Python (scoring it). On a machine with a core
for each, a reader thread with its own connection reads chunk N+1 while the job scores chunk N (issue 21:
a million customers). psycopg2 releases the GIL while it waits on the server, so the server's work hides
behind the scoring; decoding rows still takes the GIL.

Consistency (``gtmos.core.snapshot``): the reader reads in the job's exported snapshot, so every chunk is read
as of the same moment the job's transaction saw, whatever commits meanwhile. The reader cannot see the job's
own uncommitted writes, so it is used only when the job's transaction is the outermost one (nothing
uncommitted before it; the job itself writes nothing the reads look at before the loop).
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import orjson
from django.db.models import Max, Min, TextField
from django.db.models.functions import Cast

from gtmos.core.snapshot import export as export_snapshot  # noqa: F401 - the job's entry point
from gtmos.core.snapshot import reading_in

from ..inputs import account_inputs, scored_accounts
from ..models import CustomerHealthLog, HealthSettings

# The chunk reads' session, on the job's connection and the reader's. Each chunk reads a narrow id range of the
# (account, …) indexes; with PostgreSQL's default random_page_cost (4: a spinning disk) a parallel scan of the
# whole 83 M-row usage table looked cheaper than that range at a million customers, so each of the 50 chunks read
# the whole table (3.4 s a chunk with the pages cached, 12 s cold; by the index 0.4 s): 1.1 is the usual figure
# for SSDs and cached data. And the JIT compiled each chunk's statements (0.9 s for the usage read alone).
CHUNK_SESSION = (("random_page_cost", "1.1"), ("jit", "off"))

# A chunk's reads: ``inputs`` (account id → AccountInputs) and ``previous`` (account id → the latest earlier
# record's (computed score, measures, in_onboarding, tier)).
Chunk = tuple[dict, dict]


def chunk_reads(*, today: dt.date, settings: HealthSettings, last_day: dt.date | None, size: int) -> Iterator[Chunk]:
    """Each chunk of ``size`` scored accounts, in id order, with its inputs and previous records."""
    for id_range in _chunks(today, size):
        yield (
            account_inputs(today=today, settings=settings, id_range=id_range),
            _previous_records(last_day, id_range),
        )


@contextmanager
def prefetched(reads: Iterator[Chunk], *, snapshot: str) -> Iterator[Iterator[Chunk]]:
    """``reads`` run in a reader thread on its own connection, in transaction snapshot ``snapshot``, one chunk
    ahead of the consumer. An error in the reader is raised in the consumer (so the job's transaction rolls
    back); leaving the block early stops the reader and waits for it."""
    reader = _Reader(reads, snapshot)
    reader.start()
    try:
        yield iter(reader)
    finally:
        reader.stop()


class _Reader(threading.Thread):
    _DONE = object()

    def __init__(self, reads: Iterator[Chunk], snapshot: str):
        super().__init__(name="health-daily-reader", daemon=True)
        self._reads, self._snapshot = reads, snapshot
        # One chunk waiting while the next is read: memory stays at about three chunks.
        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._stopping = threading.Event()

    def run(self) -> None:
        try:
            # Django gives this thread its own connection; the transaction starts in the job's snapshot.
            with reading_in(self._snapshot, *CHUNK_SESSION):
                for chunk in self._reads:
                    if not self._put(chunk):
                        return
            self._put(self._DONE)
        except BaseException as error:  # handed to the consumer, which raises it in the job
            self._put(error)

    def _put(self, item) -> bool:
        while not self._stopping.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[Chunk]:
        while True:
            try:
                item = self._queue.get(timeout=0.5)
            except queue.Empty:
                if not self.is_alive() and self._queue.empty():
                    raise RuntimeError("the health reader thread ended without a result") from None
                continue
            if item is self._DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def stop(self) -> None:
        self._stopping.set()
        self.join()


def _chunks(today: dt.date, size: int):
    """(first id, last id) of each ascending run of ``size`` scored accounts (keyset pagination: no OFFSET
    rescans; each chunk's reads are range scans)."""
    after = 0
    while True:
        ids = scored_accounts(today).filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:size]
        bounds = ids.aggregate(lo=Min("pk"), hi=Max("pk"))
        if bounds["lo"] is None:
            return
        yield bounds["lo"], bounds["hi"]
        after = bounds["hi"]


def _previous_records(last_day: dt.date | None, id_range: tuple[int, int]) -> dict[int, tuple]:
    """The latest earlier record per account in the chunk: (computed score, measures, in_onboarding, tier)."""
    if last_day is None:
        return {}
    # The measures come as text and are decoded with orjson: 100k JSON documents a run.
    rows = (
        CustomerHealthLog.objects.filter(day=last_day, account_id__gte=id_range[0], account_id__lte=id_range[1])
        .order_by()
        .annotate(measures_text=Cast("measures", TextField()))
        .values_list("account_id", "computed_score", "measures_text", "in_onboarding", "tier")
    )
    return {
        account_id: (computed, orjson.loads(measures), in_onboarding, tier)
        for account_id, computed, measures, in_onboarding, tier in rows
    }
