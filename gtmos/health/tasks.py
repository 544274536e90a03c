"""Beat job: the daily health run. Thin: the service does the work and is safe to run twice."""

from celery import shared_task

from .services.daily import health_daily as run_health_daily


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=60, max_retries=3)
def health_daily() -> dict:
    return run_health_daily()
