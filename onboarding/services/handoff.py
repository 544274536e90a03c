"""M7 and the handoff to customer success (seed 003). Only a CSM's explicit action closes onboarding."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse

from gtmos.audit.services import event_record, notifications_bulk_create
from gtmos.core import clock
from gtmos.crm.models import Account, Employee, Role

from ..models import CSHandoff, MilestoneItem, OnboardingLog, OnboardingPlan, OnboardingSettings, SuccessTask
from ..models.plan import MilestoneStatus, PlanStatus
from .alerts import escalations_resolve, notify, users_of
from .log import log_write

CHECK_IN_DAYS = 30
WARMTH_ASSESSORS = (Role.AM, Role.EXECUTIVE)


class HandoffError(Exception):
    pass


@transaction.atomic
def onboarding_close(*, plan: OnboardingPlan, by: Employee, handoff: dict) -> CSHandoff:
    """The CSM closes onboarding: M7 done, plan complete, account leaves onboarding mode, the handoff record
    is filed and the customer-success phase opens (30-day check-in, renewal/expansion review)."""
    if by.role != Role.CSM:
        raise HandoffError("only a CSM can close onboarding (M7 is a manual gate)")
    plan = OnboardingPlan.objects.select_for_update(of=("self",)).select_related("account", "map").get(pk=plan.pk)
    if plan.status != PlanStatus.ACTIVE:
        raise HandoffError("status: onboarding is not active")
    assessor = handoff["warmth_assessed_by"]
    if assessor.role not in WARMTH_ASSESSORS:
        raise HandoffError("warmth_assessed_by: relationship warmth is assessed by the AM or an executive")
    today = clock.today()
    m7 = MilestoneItem.objects.select_for_update().filter(plan=plan, code="M7").first()
    if m7 is not None and m7.status == MilestoneStatus.PENDING:
        m7.complete(on=today, by=by.user, detected_by="csm")
        m7.save()
    plan.complete()
    plan.save()
    account = plan.account
    cs_owner = handoff.get("cs_owner") or account.am or by
    record = CSHandoff.objects.create(
        plan=plan,
        account=account,
        filed_by=by,
        cs_owner=cs_owner,
        delivery_date=handoff.get("delivery_date") or today,
        **{k: v for k, v in handoff.items() if k not in ("cs_owner", "delivery_date")},
    )
    escalations_resolve(plan=plan, resolution="Onboarding closed (M7)")
    ttv_days = account.ttv_achieved_days
    if not plan.product_onboarding:  # a product plan never put the established customer back in onboarding
        Account.objects.filter(pk=account.pk).update(onboarding_status="complete", onboarding_complete_date=today)
    log_write(
        plan=plan,
        entry_type=OnboardingLog.EntryType.CLOSE,
        milestone_id="M7",
        author=by,
        on=today,
        notes=f"Onboarding closed by {by.name}; TTV {ttv_days if ttv_days is not None else 'not reached'} days",
    )
    SuccessTask.objects.bulk_create(
        [
            SuccessTask(
                account=account,
                handoff=record,
                kind=SuccessTask.Kind.CHECK_IN_30,
                owner=cs_owner,
                due_date=today + dt.timedelta(days=CHECK_IN_DAYS),
            ),
            SuccessTask(
                account=account,
                handoff=record,
                kind=SuccessTask.Kind.RENEWAL_EXPANSION_REVIEW,
                owner=cs_owner,
                due_date=today + dt.timedelta(days=CHECK_IN_DAYS),
            ),
        ]
    )
    event_record(
        type="onboarding.closed",
        subject=plan,
        account_id=account.pk,
        actor=by.user,
        payload={"handoff_id": record.pk, "ttv_days": ttv_days},
        idempotency_key=f"onboarding.closed:{plan.pk}",
    )
    notify(
        recipients=users_of(cs_owner),
        rule="onboarding.handoff_filed",
        title=f"Customer success handoff to acknowledge: {account.name}",
        body=f"{by.name} closed onboarding and filed the handoff. Please acknowledge it.",
        link=reverse("onboarding:handoff_detail", args=[record.pk]),
        key=f"handoff:{record.pk}",
    )
    return record


def owner_or_chain(owner: Employee | None, by: Employee) -> bool:
    """The named CS owner, or someone up their chain (their manager or SLM)."""
    from gtmos.crm.access import team_ids

    if owner is None:
        return by.role in (Role.AM, Role.CSM)
    return by.pk == owner.pk or (by.user is not None and owner.pk in team_ids(by.user))


@transaction.atomic
def handoff_acknowledge(*, handoff: CSHandoff, by: Employee) -> CSHandoff:
    """Seed 003 "Acknowledged by: {CS owner}": the named owner or their chain acknowledges. Idempotent."""
    handoff = CSHandoff.objects.select_for_update(of=("self",)).select_related("cs_owner").get(pk=handoff.pk)
    if handoff.acknowledged_at is not None:
        return handoff
    if not owner_or_chain(handoff.cs_owner, by):
        raise HandoffError(
            f"only the CS owner ({handoff.cs_owner.name if handoff.cs_owner else 'AM or CSM'}) "
            "or their manager acknowledges the handoff"
        )
    handoff.acknowledged_by, handoff.acknowledged_at = by, clock.now()
    handoff.save(update_fields=["acknowledged_by", "acknowledged_at"])
    event_record(
        type="onboarding.handoff_acknowledged",
        subject=handoff,
        account_id=handoff.account_id,
        actor=by.user,
        payload={"handoff_id": handoff.pk},
    )
    return handoff


HANDOFF_BULK_MAX = 200


@transaction.atomic
def handoffs_acknowledge(*, handoff_ids, by: Employee, visible) -> list[CSHandoff]:
    """Bulk acknowledge (issue 20 item 3): every ticked handoff the person may acknowledge, or none. ``visible``
    is the caller's ``OnboardingPlan.objects.visible_to(user)``; one already acknowledged stays as first
    recorded (idempotent); each acknowledgement writes its own audit Event, as one by one would."""
    try:
        ids = sorted({int(i) for i in handoff_ids})
    except (TypeError, ValueError):
        raise HandoffError("tick the handoffs to acknowledge") from None
    if not ids:
        raise HandoffError("tick the handoffs to acknowledge")
    if len(ids) > HANDOFF_BULK_MAX:
        raise HandoffError(f"acknowledge at most {HANDOFF_BULK_MAX} handoffs at a time")
    records = list(CSHandoff.objects.filter(pk__in=ids, plan__in=visible).select_related("cs_owner").order_by("pk"))
    if len(records) != len(ids):
        raise HandoffError("some ticked handoffs are not yours to see any more; reload the list")
    refused = [r for r in records if r.acknowledged_at is None and not owner_or_chain(r.cs_owner, by)]
    if refused:
        raise HandoffError(
            f"only the CS owner or their manager acknowledges: {len(refused)} ticked handoff"
            f"{'s are' if len(refused) != 1 else ' is'} not yours"
        )
    return [handoff_acknowledge(handoff=r, by=by) for r in records]


@transaction.atomic
def success_task_complete(*, task: SuccessTask, by: Employee, note: str) -> SuccessTask:
    """The 30-day check-in or the renewal/expansion review is done: its owner (or their chain) records what
    happened. Idempotent: a done task stays as first recorded."""
    task = SuccessTask.objects.select_for_update(of=("self",)).select_related("owner").get(pk=task.pk)
    if task.done_at is not None:
        return task
    if not owner_or_chain(task.owner, by):
        raise HandoffError(f"only the task's owner ({task.owner.name if task.owner else 'AM or CSM'}) completes it")
    if not note.strip():
        raise HandoffError("note: say what was done (who met, what was agreed)")
    task.done_at, task.done_by, task.note = clock.now(), by, note.strip()
    task.save(update_fields=["done_at", "done_by", "note"])
    event_record(
        type="onboarding.success_task_done",
        subject=task,
        account_id=task.account_id,
        actor=by.user,
        payload={"kind": task.kind},
    )
    return task


def success_tasks_remind(*, today: dt.date | None = None) -> int:
    """Daily: open customer-success tasks remind their owner N days before the due date, and once overdue.
    Conditional updates claim each reminder, so running twice sends nothing new."""
    today = today or clock.today()
    days = OnboardingSettings.load().success_task_remind_days
    now = clock.now()
    sent = 0
    for stamp, rule, due_q, verb in (
        (
            "reminded_due_at",
            "onboarding.success_task_due",
            {"due_date__lte": today + dt.timedelta(days=days), "due_date__gte": today},
            "is due",
        ),
        ("reminded_overdue_at", "onboarding.success_task_overdue", {"due_date__lt": today}, "is overdue"),
    ):
        rows = list(
            SuccessTask.objects.filter(
                done_at__isnull=True, owner__user__isnull=False, **{f"{stamp}__isnull": True}, **due_q
            ).values_list("pk", "kind", "due_date", "owner__user_id", "account__name", "handoff_id")
        )
        if not rows:
            continue
        SuccessTask.objects.filter(pk__in=[r[0] for r in rows]).update(**{stamp: now})
        notifications_bulk_create(
            [
                {
                    "recipient_id": user,
                    "rule": rule,
                    "title": f"{name}: {SuccessTask.Kind(kind).label} {verb}",
                    "body": f"Due {due:%Y-%m-%d}. Record what was done on the handoff page.",
                    "link": reverse("onboarding:handoff_detail", args=[handoff_id]),
                    "dedupe_key": f"{rule}:{pk}",
                }
                for pk, kind, due, user, name, handoff_id in rows
            ]
        )
        sent += len(rows)
    return sent
