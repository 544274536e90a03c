"""Writes to the audit records. Every domain records events and raises notifications through here."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction

from gtmos.core import clock
from gtmos.core.commit import after_commit

from .models import Event, ExceptionLog, Notification

logger = logging.getLogger(__name__)
User = get_user_model()


def event_record(
    *,
    type: str,
    subject: models.Model | None = None,
    payload: dict[str, Any] | None = None,
    actor: Any = None,
    actor_type: str = Event.Actor.SYSTEM,
    actor_label: str = "",
    idempotency_key: str | None = None,
    account_id: int | None = None,
    occurred_at=None,
) -> Event:
    """Append an Event. With an idempotency key, a replay returns the first row and writes nothing."""
    if idempotency_key:
        existing = Event.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    if account_id is None and subject is not None:
        account_id = _account_id_of(subject)
    event = Event(
        type=type,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        account_id=account_id,
        payload=payload or {},
        actor=actor if (actor is not None and getattr(actor, "is_authenticated", False)) else None,
        actor_type=actor_type if actor is None else Event.Actor.USER,
        actor_label=actor_label,
        idempotency_key=idempotency_key,
        occurred_at=occurred_at or clock.now(),
    )
    if not idempotency_key:
        event.save()
        return event
    try:
        # A concurrent writer with the same key may win the race: the unique index decides.
        with transaction.atomic():
            event.save()
    except IntegrityError:
        return Event.objects.get(idempotency_key=idempotency_key)
    return event


def _account_id_of(subject: models.Model) -> int | None:
    if subject._meta.label_lower == "crm.account":
        return subject.pk
    return getattr(subject, "account_id", None)


def notification_create(
    *,
    recipient,
    rule: str,
    title: str,
    body: str = "",
    link: str = "",
    dedupe_key: str | None = None,
) -> Notification | None:
    """Put a notification in the recipient's inbox and email it after commit.

    ``dedupe_key`` makes a rule fire once per fact ("each alert once, not daily").
    Returns None for a recipient without a login (nothing to deliver to).
    """
    if recipient is None:
        return None
    if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key).exists():
        return Notification.objects.get(dedupe_key=dedupe_key)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient, rule=rule, title=title, body=body, link=link, dedupe_key=dedupe_key
            )
    except IntegrityError:
        return Notification.objects.get(dedupe_key=dedupe_key)
    from . import tasks  # tasks import services; import here to keep the module graph acyclic

    after_commit(tasks.email_notification.delay, notification_id=notification.pk)  # the 5-minute job resends
    return notification


def notification_email(*, notification: Notification) -> bool:
    """Send one notification by email; safe to call twice (the emailed_at update is conditional)."""
    claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(emailed_at=clock.now())
    if not claimed:
        return False
    email = notification.recipient.email
    if email:
        link = f"{settings.SITE_URL}{notification.link}" if notification.link else settings.SITE_URL
        send_mail(
            subject=f"[GTM OS] {notification.title}",
            message=f"{notification.body}\n\nRule: {notification.rule}\nOpen: {link}\n",
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[email],
            fail_silently=False,
        )
    return True


def notification_mark_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=clock.now())


def exception_open(
    *,
    exception_type: str,
    account=None,
    opportunity=None,
    employee=None,
    reason: str = "",
    details: dict | None = None,
    opened_by=None,
) -> tuple[ExceptionLog, bool]:
    """Open an exception once: an active one of the same type on the same record is returned as is."""
    lookup = {"exception_type": exception_type, "status": ExceptionLog.Status.ACTIVE}
    if opportunity is not None:
        lookup["opportunity"] = opportunity
    else:
        lookup.update(account=account, opportunity=None)
    existing = ExceptionLog.objects.filter(**lookup).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            entry = ExceptionLog.objects.create(
                exception_type=exception_type,
                account=account if account is not None else getattr(opportunity, "account", None),
                opportunity=opportunity,
                employee=employee,
                reason=reason,
                details=details or {},
                opened_by=opened_by,
            )
    except IntegrityError:
        return ExceptionLog.objects.get(**lookup), False
    event_record(
        type="exception.opened",
        subject=entry,
        account_id=entry.account_id,
        payload={"exception_type": exception_type, "exception_id": entry.pk},
        idempotency_key=f"exception.opened:{entry.pk}",
    )
    return entry, True


def exception_release(*, entry: ExceptionLog, released_by=None, reason: str = "") -> bool:
    """Release an active exception; a second call changes nothing."""
    updated = ExceptionLog.objects.filter(pk=entry.pk, status=ExceptionLog.Status.ACTIVE).update(
        status=ExceptionLog.Status.RELEASED,
        released_at=clock.now(),
        released_by=released_by,
        release_reason=reason,
    )
    if updated:
        entry.refresh_from_db()
        event_record(
            type="exception.released",
            subject=entry,
            account_id=entry.account_id,
            payload={"exception_type": entry.exception_type, "exception_id": entry.pk},
            idempotency_key=f"exception.released:{entry.pk}",
        )
    return bool(updated)


def notifications_bulk_create(rows: list[dict]) -> int:
    """Many notifications in one insert (daily scans). Rows with a dedupe_key already used are skipped;
    email goes out through the periodic sender, not one task per row."""
    if not rows:
        return 0
    keys = [r["dedupe_key"] for r in rows if r.get("dedupe_key")]
    taken = set(Notification.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    fresh = [Notification(created_at=clock.now(), **r) for r in rows if r.get("dedupe_key") not in taken]
    # No batch_size: PostgreSQL inserts through UNNEST (one array per column), so this is one statement
    # however many rows a scan produces, and the statement count of the scans stays independent of their size.
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def events_bulk_create(rows: list[dict]) -> int:
    """Many Event rows in one insert; rows whose idempotency key exists are skipped."""
    if not rows:
        return 0
    at = clock.now()
    Event.objects.bulk_create([Event(occurred_at=at, **r) for r in rows], ignore_conflicts=True)  # one UNNEST
    return len(rows)
