"""A served process's startup heap, kept out of the garbage collector's full passes (issue 21).

Python's full collection walks every tracked object; in a loaded Django process that is the framework, the
URLconf, every model and schema — ~140,000 objects that live as long as the process. A 5,000-row API batch
allocates enough (the validated rows) to set a full pass off every second or third request, and that pass
over the startup heap was a third of the batch's Python time. ``gc.freeze()`` after loading moves those
objects to the permanent generation: they are still freed by reference counting, the collector just never
walks them again (and a forked worker stops copying their pages, which is why CPython offers it).
"""

import gc
from contextlib import contextmanager


def freeze_after_load() -> None:
    """Load what the first request would (the URLconf, hence every view module and the API), then freeze."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (the import is the point)
    gc.collect()
    gc.freeze()


@contextmanager
def cyclic_gc_paused():
    """The cyclic collector off for a batch run that builds millions of acyclic containers (the daily health
    loop, the coaching runs): each full pass would walk them all again and find nothing. Restored as it was,
    so a caller that paused it keeps it paused; reference counting frees everything meanwhile."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
