"""Beat jobs for AGT-701's cadence. Thin: each calls a service that is safe to run twice."""

import datetime as dt

from celery import shared_task

from gtmos.core import clock

from .calendar import week_end
from .services.daily import coaching_daily as run_daily
from .services.digest import coaching_monthly as run_monthly
from .services.email import digests_email
from .services.weekly import coaching_weekly as run_weekly

RETRY = dict(acks_late=True, autoretry_for=(Exception,), retry_backoff=60, max_retries=3)


@shared_task(**RETRY)
def coaching_daily() -> dict:
    return run_daily(day=clock.today())


@shared_task(**RETRY)
def coaching_weekly() -> dict:
    """Mondays: the week that ended yesterday."""
    return run_weekly(week=week_end(clock.today()))


@shared_task(**RETRY)
def coaching_monthly() -> dict:
    """Daily; does the work only on the first business day of the month."""
    return run_monthly(today=clock.today())


@shared_task(**RETRY)
def coaching_digest_emails(month: str) -> int:
    return digests_email(month=dt.date.fromisoformat(month))
