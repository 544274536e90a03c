"""Beat jobs: the daily health run and the intraday drain. Thin: the services do the work; both are safe to
run twice."""

from celery import shared_task

from .services.daily import health_daily as run_health_daily
from .services.intraday import health_dirty_drain


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=60, max_retries=3)
def health_daily() -> dict:
    return run_health_daily()


@shared_task(acks_late=True, ignore_result=True)
def health_intraday(*, budget_seconds: float = 20.0) -> dict:
    """Beat runs this every few seconds (HEALTH_INTRADAY_SWEEP_SECONDS): drain due dirty accounts, a batch at
    a time, until none is due or the budget is spent; the next beat tick goes on. No countdown anywhere: the
    debounce lives in the dirty table's timestamps."""
    import time

    total = {"claimed": 0, "rescored": 0, "cases_opened": 0, "drop_notices": 0}
    deadline = time.monotonic() + budget_seconds
    while time.monotonic() < deadline:
        done = health_dirty_drain()
        for key in total:
            total[key] += done.get(key, 0)
        if not done["claimed"]:
            break
    return total
