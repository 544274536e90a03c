"""Outbound email on the retry ladder (seed 002: outreach retries 2m → 10m → 1h → 6h → abandoned).

``outbound_queue`` stores the email once per key; ``outbound_deliver`` claims one due row (SKIP LOCKED, so two
workers never send it twice), sends it and either marks it sent — running what the send unlocks (outreach.sent,
W5 → W6) — or schedules the next rung. The first attempt runs right after the request's transaction commits;
the minute sweep drives the rest. Times count from when the attempt was due, on the injectable clock."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from gtmos.audit.services import event_record
from gtmos.core import clock

from ..models import OutboundEmail

logger = logging.getLogger(__name__)
S = OutboundEmail.Status


def outbound_queue(
    *,
    key: str,
    kind: str,
    to: str,
    subject: str,
    body: str,
    from_email: str = "",
    deal=None,
    invite=None,
    scheduled_message=None,
    due: datetime | None = None,
) -> OutboundEmail:
    """Store the email to send (once per key: a double POST queues nothing more); its first attempt is due
    ``due`` (default now: a reminder waits in the ladder until its hour)."""
    email, _ = OutboundEmail.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "to": to,
            "subject": subject[:300],
            "body": body,
            "from_email": from_email[:300],
            "deal": deal,
            "invite": invite,
            "scheduled_message": scheduled_message,
            "next_attempt_at": due or clock.now(),
        },
    )
    return email


def outbound_deliver(*, email_id, now: datetime | None = None) -> str:
    """One attempt, if due: "sent", "retry", "abandoned", or "skipped" (not due, done, or another worker has it)."""
    now = now or clock.now()
    ladder = settings.SWARM_RETRY_LADDER_SECONDS
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status__in=[S.PENDING, S.RETRY_WAIT], next_attempt_at__lte=now)
            .first()
        )
        if email is None:
            return "skipped"
        due = email.next_attempt_at
        try:
            send_mail(email.subject, email.body, email.from_email or None, [email.to], fail_silently=False)
        except Exception as exc:  # any transport error: the ladder takes it from here
            email.attempts += 1
            email.last_error = f"{type(exc).__name__}: {exc}"[:300]
            if email.attempts <= len(ladder):
                email.status, email.next_attempt_at = S.RETRY_WAIT, due + timedelta(seconds=ladder[email.attempts - 1])
            else:
                email.status = S.ABANDONED
            email.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            _event(
                email,
                "outbound.send_failed",
                {
                    "attempt": email.attempts,
                    "status": email.status,
                    "next_attempt_at": email.next_attempt_at.isoformat(),
                },
            )
            logger.warning("outbound email %s failed (attempt %s): %s", email.pk, email.attempts, email.last_error)
            return "retry" if email.status == S.RETRY_WAIT else "abandoned"
        email.attempts += 1
        email.status, email.sent_at, email.last_error = S.SENT, now, ""
        email.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        if email.kind == OutboundEmail.Kind.OUTREACH and email.deal_id:
            from ..whiteglove.steps import outreach_delivered

            outreach_delivered(deal_id=email.deal_id)
        if email.kind == OutboundEmail.Kind.CUSTOMER and email.scheduled_message_id:
            from .comms import message_delivered

            message_delivered(message_id=email.scheduled_message_id, sent_at=now)
    return "sent"


def outbound_retry_now(*, email: OutboundEmail) -> OutboundEmail:
    """The AE's "send again" after the ladder gave up: one more attempt, now."""
    OutboundEmail.objects.filter(pk=email.pk, status=S.ABANDONED).update(
        status=S.RETRY_WAIT, next_attempt_at=clock.now()
    )
    email.refresh_from_db()
    return email


def outbound_sweep(*, now: datetime | None = None, limit: int = 200) -> dict:
    """Beat (every minute): every due email gets its attempt."""
    now = now or clock.now()
    ids = list(
        OutboundEmail.objects.filter(status__in=[S.PENDING, S.RETRY_WAIT], next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    outcomes: dict[str, int] = {}
    for pk in ids:
        outcome = outbound_deliver(email_id=pk, now=now)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def _event(email: OutboundEmail, type_: str, payload: dict) -> None:
    subject = (
        email.deal.session
        if email.deal_id
        else email.invite.session
        if email.invite_id
        else email.scheduled_message.plan
        if email.scheduled_message_id
        else None
    )
    event_record(
        type=type_,
        subject=subject,
        idempotency_key=f"outbound:{email.pk}:{type_}:{email.attempts}",
        payload={"email_id": str(email.pk), "kind": email.kind, **payload},
    )  # no address: no PII
