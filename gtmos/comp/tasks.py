from celery import shared_task

from . import services


@shared_task(acks_late=True)
def comp_hold_daily() -> dict:
    """Beat job (daily): apply and lift MAP sign-off holds on payouts. Idempotent."""
    return services.comp_hold_run()
