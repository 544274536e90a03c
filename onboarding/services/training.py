"""Seed 004's training schedule: schedule a session on an onboarding plan with the customer's contacts invited,
record who attended, or cancel it. The invitees hear of it by email (``training_emails``). A held session is CSM activity (an OnboardingLog row, so health scoring sees
the touch), counts as the customer answering (it clears the unresponsive escalations), and may deliver M2
(admin training) or M3 (end-user training) with the attendance as evidence."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.db import transaction
from django.urls import reverse
from django_fsm import TransitionNotAllowed

from gtmos.audit.services import event_record
from gtmos.core import clock
from gtmos.crm.models import Contact, Employee, Role

from ..models import Escalation, MilestoneItem, OnboardingLog, OnboardingPlan, TrainingSession
from ..models.plan import MilestoneStatus, PlanStatus
from .alerts import escalations_resolve, notify, users_of
from .log import log_write
from .training_emails import training_cancellation_queue, training_invites_queue


class TrainingError(Exception):
    pass


def may_train(employee: Employee | None, plan: OnboardingPlan) -> bool:
    """The CSM runs enablement (M2/M3 are theirs); an Implementation Engineer or anyone else who owns a
    milestone on this plan may schedule and record sessions too. Post-sales, sellers and managers read."""
    if employee is None:
        return False
    return employee.role == Role.CSM or MilestoneItem.objects.filter(plan=plan, owner=employee).exists()


def _contacts(plan: OnboardingPlan, ids, field: str) -> list[Contact]:
    ids = {int(i) for i in ids or []}
    contacts = list(Contact.objects.filter(account_id=plan.account_id, pk__in=ids))
    if len(contacts) != len(ids):
        raise TrainingError(f"{field}: choose contacts of {plan.account.name}")
    return contacts


@transaction.atomic
def training_schedule(
    *,
    plan: OnboardingPlan,
    by: Employee,
    title: str,
    audience: str,
    scheduled_for: dt.datetime,
    invitee_ids,
    duration_minutes: int = 60,
    trainer: Employee | None = None,
) -> TrainingSession:
    if not may_train(by, plan):
        raise PermissionError("training is scheduled by the CSM or a milestone owner on this plan")
    if plan.status != PlanStatus.ACTIVE:
        raise TrainingError("plan: training is scheduled on active onboarding plans")
    if audience not in TrainingSession.Audience.values:
        raise TrainingError("audience: choose admin, end-user or other enablement")
    if not title.strip():
        raise TrainingError("title: name the session")
    if plan.contract_start_date and scheduled_for.date() < plan.contract_start_date:
        raise TrainingError(f"scheduled_for: before the contract start ({plan.contract_start_date:%Y-%m-%d})")
    invitees = _contacts(plan, invitee_ids, "invitees")
    if not invitees:
        raise TrainingError("invitees: invite at least one of the customer's contacts")
    session = TrainingSession(
        plan=plan,
        title=title.strip()[:200],
        audience=audience,
        scheduled_for=scheduled_for,
        duration_minutes=duration_minutes,
        trainer=trainer or by,
        scheduled_by=by,
    )
    session.save()
    session.invitees.set(invitees)
    training_invites_queue(session)
    event_record(
        type="onboarding.training_scheduled",
        subject=plan,
        account_id=plan.account_id,
        actor=by.user,
        payload={"training_id": session.pk, "audience": audience, "invitees": [c.pk for c in invitees]},
    )
    if session.trainer_id != by.pk:
        notify(
            recipients=users_of(session.trainer),
            rule="onboarding.training_scheduled",
            title=f"Training to deliver: {session.title} ({plan.account.name})",
            body=f"{by.name} scheduled it for {scheduled_for:%Y-%m-%d %H:%M} with {len(invitees)} invitee(s).",
            link=reverse("onboarding:training_detail", args=[session.pk]),
            key=f"training:{session.pk}",
        )
    return session


@transaction.atomic
def training_record(
    *,
    session: TrainingSession,
    by: Employee,
    attendee_ids,
    notes: str = "",
    on: dt.date | None = None,
    complete_milestone: bool = False,
) -> TrainingSession:
    """The session was held: who attended (the customer's contacts, invited or not), on which day. Writes the
    OnboardingLog row; with ``complete_milestone`` it also completes the session's M2/M3 if still pending."""
    session = (
        TrainingSession.objects.select_for_update(of=("self",))
        .select_related("plan__account", "plan__map")
        .get(pk=session.pk)
    )
    plan = session.plan
    if not may_train(by, plan):
        raise PermissionError("attendance is recorded by the CSM or a milestone owner on this plan")
    if plan.status != PlanStatus.ACTIVE:
        raise TrainingError("plan: onboarding is closed")
    on = on or min(clock.today(), session.scheduled_for.date())
    if on > clock.today():
        raise TrainingError(f"held_on: {on:%Y-%m-%d} is in the future — record a session once it is held")
    if plan.contract_start_date and on < plan.contract_start_date:
        raise TrainingError(f"held_on: before the contract start ({plan.contract_start_date:%Y-%m-%d})")
    attendees = _contacts(plan, attendee_ids, "attendees")
    if not attendees:
        raise TrainingError("attendees: tick who attended (cancel the session if nobody came)")
    try:
        session.hold(on=on, notes=notes.strip())
    except TransitionNotAllowed:
        raise TrainingError(f"status: this session is already {session.get_status_display().lower()}") from None
    session.save()
    session.attendees.set(attendees)
    invited = set(session.invitees.values_list("pk", flat=True))
    names = ", ".join(c.name for c in attendees)
    summary = (
        f"{session.get_audience_display()} “{session.title}” held {on:%Y-%m-%d}: attended by {names} "
        f"({sum(1 for c in attendees if c.pk in invited)} of {len(invited)} invited"
        f"{', plus walk-ins' if any(c.pk not in invited for c in attendees) else ''})"
    )
    log_write(
        plan=plan,
        entry_type=OnboardingLog.EntryType.CSM_ACTIVITY,
        activity_kind=OnboardingLog.ActivityKind.TRAINING,
        notes=f"{summary}. {session.notes}".strip(),
        author=by,
        on=on,
    )
    # Customer contacts turning up is the customer answering: the unresponsive rule's streak ends here.
    escalations_resolve(
        plan=plan,
        kinds=[Escalation.Kind.UNRESPONSIVE, Escalation.Kind.UNRESPONSIVE_SLM],
        resolution="Customer contacts attended training",
    )
    code = session.milestone_code
    if complete_milestone and code:
        item = MilestoneItem.objects.filter(plan=plan, code=code, status=MilestoneStatus.PENDING).first()
        if item is not None:
            from .milestones import milestone_complete

            milestone_complete(item=item, by=by.user, evidence=f"Attendance: {summary}"[:300], on=on)
    event_record(
        type="onboarding.training_held",
        subject=plan,
        account_id=plan.account_id,
        actor=by.user,
        payload={"training_id": session.pk, "attendees": [c.pk for c in attendees], "milestone": code},
    )
    from .escalations import escalation_scan

    transaction.on_commit(partial(escalation_scan, plan_ids=[plan.pk]))
    return session


@transaction.atomic
def training_cancel(*, session: TrainingSession, by: Employee, reason: str) -> TrainingSession:
    session = TrainingSession.objects.select_for_update(of=("self",)).select_related("plan").get(pk=session.pk)
    if not may_train(by, session.plan):
        raise PermissionError("training is cancelled by the CSM or a milestone owner on this plan")
    if not reason.strip():
        raise TrainingError("reason: say why (rescheduled, customer no-show…)")
    try:
        session.cancel(notes=reason.strip())
    except TransitionNotAllowed:
        raise TrainingError(f"status: this session is already {session.get_status_display().lower()}") from None
    session.save()
    training_cancellation_queue(session, reason.strip())
    return session
