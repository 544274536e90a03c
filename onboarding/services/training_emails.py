"""The customer's side of a training session: an invitation when it is scheduled, a reminder before it and a
notice if it is cancelled — each an email to every invited contact with an address, through the outbound ladder
(``outbound.py``), so a mail server that is down costs a retry, never a lost invite. A reminder is an email
queued with its attempt due ``TRAINING_REMINDER_HOURS`` before the session: the minute sweep sends it then."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gtmos.core import clock

from ..models import OutboundEmail, TrainingSession
from .outbound import outbound_deliver, outbound_queue

S = OutboundEmail.Status


def _when(session: TrainingSession) -> str:
    start = timezone.localtime(session.scheduled_for)
    return f"{start:%Y-%m-%d %H:%M} {start.tzname()}"


def _from(session: TrainingSession) -> str:
    trainer = session.trainer
    return f"{trainer.name} <{trainer.email}>" if trainer and trainer.email else settings.DEFAULT_FROM_EMAIL


def _details(session: TrainingSession) -> str:
    trainer = session.trainer.name if session.trainer else "your customer success manager"
    return (
        f"{session.get_audience_display()}: {session.title}\n"
        f"When: {_when(session)} ({session.duration_minutes} minutes)\n"
        f"Trainer: {trainer}\n"
    )


def _queue(session: TrainingSession, kind: str, subject: str, body: str, due: dt.datetime | None = None) -> list:
    """One email per invited contact with an address; returns the emails to attempt now."""
    now_due = []
    for contact in session.invitees.exclude(email="").order_by("pk"):
        email = outbound_queue(
            key=f"training:{session.pk}:{kind}:{contact.pk}",
            kind=OutboundEmail.Kind.CUSTOMER,
            to=contact.email,
            subject=subject,
            body=f"Hello {contact.name},\n\n{body}",
            from_email=_from(session),
            due=due,
        )
        if due is None:
            now_due.append(email.pk)
    return now_due


def _deliver_after_commit(email_ids: list) -> None:
    for pk in email_ids:
        transaction.on_commit(partial(outbound_deliver, email_id=pk), robust=True)


def training_invites_queue(session: TrainingSession) -> None:
    """Called in the scheduling transaction: the invitations go out once it commits; the reminders wait. A
    session entered after the fact (its time has passed) invites nobody."""
    if session.scheduled_for <= clock.now():
        return
    details = _details(session)
    account = session.plan.account.name
    invites = _queue(
        session,
        "invite",
        f"Invitation: {session.title} — {_when(session)}",
        f"You are invited to a training session for {account}.\n\n{details}\n"
        "Reply to this email if the time does not work for you.\n",
    )
    remind_at = session.scheduled_for - dt.timedelta(hours=settings.TRAINING_REMINDER_HOURS)
    if remind_at > clock.now():  # a session sooner than that has just had its invitation
        _queue(
            session,
            "reminder",
            f"Reminder: {session.title} — {_when(session)}",
            f"A reminder of your training session for {account}.\n\n{details}",
            due=remind_at,
        )
    _deliver_after_commit(invites)


def training_cancellation_queue(session: TrainingSession, reason: str) -> None:
    """Called in the cancelling transaction: unsent reminders are withdrawn, the invitees are told."""
    OutboundEmail.objects.filter(
        key__startswith=f"training:{session.pk}:reminder:", status__in=[S.PENDING, S.RETRY_WAIT]
    ).delete()
    if not OutboundEmail.objects.filter(key__startswith=f"training:{session.pk}:invite:").exists():
        return  # nobody was invited by email (entered after the fact): nobody to tell
    notices = _queue(
        session,
        "cancel",
        f"Cancelled: {session.title} — {_when(session)}",
        f"The training session below is cancelled: {reason}\n\n{_details(session)}\n"
        "We will be in touch with a new time.\n",
    )
    _deliver_after_commit(notices)
