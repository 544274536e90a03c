"""Send or schedule a templated message to a customer contact. Each sent message is an outreach in the
OnboardingLog, so it counts toward the unresponsive-customer ladder like any other outreach."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
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
    return message


@transaction.atomic
def message_send(*, message: ScheduledMessage) -> bool:
    """Send once: the status flip is conditional, so a retried job cannot send twice."""
    claimed = ScheduledMessage.objects.filter(pk=message.pk, status=ScheduledMessage.Status.SCHEDULED).update(
        status=ScheduledMessage.Status.SENT, sent_at=clock.now()
    )
    if not claimed:
        return False
    message.refresh_from_db()
    transaction.on_commit(
        partial(
            send_mail,
            subject=message.subject,
            message=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[message.contact.email],
        )
    )
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
