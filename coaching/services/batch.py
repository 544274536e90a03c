"""The session a coaching run works in: the weekly, daily and monthly runs each read every rep's year of
records in a few large grouped statements and hold the readings in memory (issue 21: 10,000 reps).

Two settings, local to the run's transaction (``set_config(…, true)`` = ``SET LOCAL``; they end with it):

- ``work_mem``: the CadenceEventLog read groups ~4 M touches by (SDR, cadence, step, sequence) at 10,000
  reps. With the server's default 4 MB the planner sorts and spills to disk (an external merge per parallel
  worker); with 64 MB it hashes in memory (~7 MB at 2,000 reps), about twice as fast.
- ``jit``: these statements cost enough for PostgreSQL to compile them, and the compile (the emission of
  ~30 functions) took 0.1–1.0 s per statement on this machine while the run it saves is a fraction of that.

And Python's cyclic garbage collector is paused for the run: the readings, results and fetched rows are
millions of long-lived containers, and each generation-2 pass walks all of them again (a third of the run's
client time at 500 reps). Nothing the run builds needs a cycle collected to be freed before it ends; the
collector resumes afterwards and the first young-generation pass collects whatever the run left.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager

from gtmos.core import snapshot
from gtmos.core.heap import cyclic_gc_paused

WORK_MEM = "64MB"
LOCAL_SETTINGS = (("work_mem", WORK_MEM), ("jit", "off"))


@contextmanager
def batch_session():
    """Inside the run's ``transaction.atomic``: the settings above for the transaction, the collector paused
    until the block exits (restored as it was, so a caller that paused it keeps it paused)."""
    snapshot.set_local(*LOCAL_SETTINGS)
    with cyclic_gc_paused():
        yield


def batch_run(fn):
    """``batch_session`` around a run; goes under ``@transaction.atomic`` (the settings need its transaction)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        with batch_session():
            return fn(*args, **kwargs)

    return run


def reads_beside():
    """For ``metrics.measure(beside=…)``: runs a reading part on a second connection in this run's snapshot
    (``gtmos.core.snapshot``) with the run's settings, so PostgreSQL reads while Python computes; None when
    COACHING_READ_OVERLAP is off or the run is not the outermost transaction. Call it before the run writes."""
    if not snapshot.overlap_allowed("COACHING_READ_OVERLAP"):
        return None
    exported = snapshot.export()
    return lambda fn: snapshot.beside(fn, exported, *LOCAL_SETTINGS)
