"""Thin tasks: each calls one service; every one is safe to run twice."""

from celery import shared_task

from .services.daily import onboarding_daily as run_daily
from .services.escalations import escalation_scan


@shared_task(acks_late=True)
def onboarding_daily() -> dict:
    """Beat job (daily): pre-close backstop, M4/M6 from usage, sign-off window holds, escalation scan."""
    return run_daily()


@shared_task(acks_late=True)
def escalation_scan_daily() -> dict:
    return escalation_scan()
