"""Send or schedule a templated message to a customer contact. Each sent message is an outreach in the
OnboardingLog, so it counts toward the unresponsive-customer ladder like any other outreach."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction

from gtmos.core import clock
from gtmos.crm.models import Contact, Employee

from ..models import CommunicationTemplate, OnboardingPlan, ScheduledMessage
from ..models.plan import PlanStatus
from .activity import activity_log


class CommsError(Exception):
    pass


class _Blank(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def render(template: CommunicationTemplate, *, plan: OnboardingPlan, contact: Contact) -> tuple[str, str]:
    milestone = plan.milestones.filter(code=template.milestone).first() if template.milestone else None
    values = _Blank(
        account=plan.account.name,
        contact=contact.name.split(" ")[0],
        csm=plan.csm.name if plan.csm else "your customer success manager",
        milestone=milestone.name if milestone else "",
        target_date=milestone.target_date.isoformat() if milestone and milestone.target_date else "",
    )
    return template.subject.format_map(values), template.body.format_map(values)


@transaction.atomic
def message_schedule(
    *,
    plan: OnboardingPlan,
    template: CommunicationTemplate,
    contact: Contact,
    by: Employee,
    send_on: dt.date | None = None,
) -> ScheduledMessage:
    if plan.status != PlanStatus.ACTIVE:
        raise CommsError("plan: messages go to customers in active onboarding")
    if contact.account_id != plan.account_id:
        raise CommsError("contact: pick a contact on this account")
    if not contact.email:
        raise CommsError("contact: this contact has no email address")
    send_on = send_on or clock.today()
    if send_on < clock.today():
        raise CommsError("send_on: pick today or a later date")
    subject, body = render(template, plan=plan, contact=contact)
    message = ScheduledMessage.objects.create(
        plan=plan, template=template, contact=contact, subject=subject, body=body, send_on=send_on, created_by=by
    )
    if send_on == clock.today():
        message_send(message=message)
        message.refresh_from_db()
    return message


@transaction.atomic
def message_send(*, message: ScheduledMessage) -> bool:
    """Send a due message on the outbound retry ladder (issue 21): the email is queued once per message and its
    first attempt runs now; the message is marked sent (and the outreach logged) only once the email went out.
    A mail server that is down costs a retry (2m → 10m → 1h → 6h, the minute sweep), never a 500, and the
    message stays scheduled meanwhile. True if it went out on this call."""
    from .outbound import outbound_deliver, outbound_queue

    message = (
        ScheduledMessage.objects.select_for_update()
        .select_related("contact")
        .filter(pk=message.pk, status=ScheduledMessage.Status.SCHEDULED)
        .first()
    )
    if message is None:
        return False  # sent already, or cancelled
    email = outbound_queue(
        key=f"message:{message.pk}",
        kind="customer",
        to=message.contact.email,
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        scheduled_message=message,
    )
    return outbound_deliver(email_id=email.pk) == "sent"


def message_delivered(*, message_id: int, sent_at: dt.datetime | None = None) -> bool:
    """The message's email went out (first try or a later rung): mark it sent and log the outreach, once."""
    with transaction.atomic():
        claimed = ScheduledMessage.objects.filter(pk=message_id, status=ScheduledMessage.Status.SCHEDULED).update(
            status=ScheduledMessage.Status.SENT, sent_at=sent_at or clock.now()
        )
        if not claimed:
            return False
        message = ScheduledMessage.objects.select_related("plan", "contact", "created_by").get(pk=message_id)
        if message.plan.status != PlanStatus.ACTIVE:
            return True  # went out on a late rung after the plan closed: sent, but no outreach on a closed plan
        activity_log(
            plan=message.plan,
            kind="outreach",
            by=message.created_by,
            notes=f"Sent “{message.subject}” to {message.contact.name}",
            on=message.send_on,
        )
    return True


def messages_send_due(*, today: dt.date | None = None) -> int:
    today = today or clock.today()
    due = ScheduledMessage.objects.filter(
        status=ScheduledMessage.Status.SCHEDULED, send_on__lte=today, plan__status=PlanStatus.ACTIVE
    ).select_related("plan", "contact", "created_by")
    return sum(message_send(message=m) for m in due)
