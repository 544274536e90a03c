"""Escalations and notifications: each alert fires once per fact and names the rule that fired."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse

from gtmos.audit.services import event_record, notification_create
from gtmos.core import clock

from ..models import Escalation, OnboardingLog, OnboardingPlan
from .log import log_write

ESCALATION_LOG_TYPE = {
    Escalation.Kind.UNRESPONSIVE: OnboardingLog.EscalationType.UNRESPONSIVE,
    Escalation.Kind.UNRESPONSIVE_SLM: OnboardingLog.EscalationType.UNRESPONSIVE,
    Escalation.Kind.TTV_MISS: OnboardingLog.EscalationType.TTV_MISS,
    Escalation.Kind.TTV_MISS_SLM: OnboardingLog.EscalationType.TTV_MISS,
}


def users_of(*employees) -> list:
    seen, users = set(), []
    for employee in employees:
        if employee is not None and employee.user_id and employee.user_id not in seen:
            seen.add(employee.user_id)
            users.append(employee.user)
    return users


def slm_of(plan: OnboardingPlan):
    """The SLM over the deal: the owner's SLM, else the CSM's, else the AM's."""
    for person in (plan.opportunity.owner, plan.csm, plan.account.am):
        if person is not None and person.slm_id:
            return person.slm
    return None


def notify(*, recipients, rule: str, title: str, body: str, link: str, key: str) -> None:
    for user in recipients:
        notification_create(recipient=user, rule=rule, title=title, body=body, link=link, dedupe_key=f"{key}:{user.pk}")


def plan_link(plan: OnboardingPlan) -> str:
    return reverse("onboarding:plan_detail", args=[plan.pk])


def escalation_fire(
    *,
    plan: OnboardingPlan,
    kind: str,
    key: str,
    recipients,
    title: str,
    body: str,
    details: dict | None = None,
    log: bool = True,
) -> Escalation | None:
    """Fire an escalation once (``key`` identifies the fact); returns None when it already fired."""
    try:
        with transaction.atomic():
            escalation = Escalation.objects.create(
                plan=plan,
                kind=kind,
                dedupe_key=key,
                details=details or {},
                fired_at=clock.now(),
                recipient_ids=[u.pk for u in recipients],
            )
    except IntegrityError:
        return None
    if log:
        log_write(
            plan=plan,
            entry_type=OnboardingLog.EntryType.ESCALATION,
            escalation_type=ESCALATION_LOG_TYPE.get(kind, OnboardingLog.EscalationType.OTHER),
            notes=f"{Escalation.Kind(kind).label}: {title}. {body}",
        )
    event_record(
        type=f"onboarding.escalation.{kind}",
        subject=plan,
        account_id=plan.account_id,
        payload={"escalation_id": escalation.pk, **(details or {})},
        idempotency_key=f"escalation:{key}",
    )
    notify(recipients=recipients, rule=f"onboarding.{kind}", title=title, body=body, link=plan_link(plan), key=key)
    return escalation


def escalations_resolve(*, plan: OnboardingPlan | None = None, kinds=None, plan_ids=None, resolution: str = "") -> int:
    """Resolve the open escalations whose condition cleared (all kinds when ``kinds`` is None)."""
    open_ = Escalation.objects.filter(resolved_at__isnull=True)
    open_ = open_.filter(plan=plan) if plan is not None else open_.filter(plan_id__in=plan_ids)
    if kinds is not None:
        open_ = open_.filter(kind__in=kinds)
    return open_.update(resolved_at=clock.now(), resolution=resolution[:120])
