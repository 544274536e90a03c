"""Thin tasks: take ids, load, call a service. Each is safe to run twice."""

from celery import shared_task

from gtmos.core import clock

from . import services
from .models import Notification


@shared_task(acks_late=True)
def heartbeat() -> int:
    """Beat job: one Event per minute, so anyone can see that beat and a worker are alive."""
    at = clock.now()
    event = services.event_record(
        type="system.heartbeat",
        actor_label="celery-beat",
        payload={"minute": at.strftime("%Y-%m-%dT%H:%M")},
        idempotency_key=f"system.heartbeat:{at:%Y-%m-%dT%H:%M}",
    )
    return event.pk


@shared_task(acks_late=True)
def record_worker_ping(token: str) -> int:
    """A one-off worker task (the run command enqueues it at start; the worker test runs it)."""
    event = services.event_record(
        type="system.worker_ping",
        actor_label="celery-worker",
        payload={"token": token},
        idempotency_key=f"system.worker_ping:{token}",
    )
    return event.pk


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=60, max_retries=5)
def email_notification(notification_id: int) -> bool:
    notification = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at is not None:
        return False
    return services.notification_email(notification=notification)


@shared_task(acks_late=True)
def send_pending_notification_emails() -> int:
    """Backstop for notifications whose on-commit email task was lost."""
    sent = 0
    pending = Notification.objects.filter(emailed_at__isnull=True).select_related("recipient")[:500]
    for notification in pending:
        sent += services.notification_email(notification=notification)
    return sent
