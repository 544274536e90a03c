"""Comp governance: payouts at close, the daily run that applies and lifts MAP sign-off holds, and the
comp plans' activity expectations (which AGT-701 reads and never writes).

The hold itself is an ExceptionLog row (``map_signoff_hold``) that onboarding opens and releases; this
module only reads it. The daily run is set-based: a fixed number of queries whatever the book size.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef

from gtmos.audit.models import Event, ExceptionLog
from gtmos.core import clock
from gtmos.crm.services.references import resolve_employee, upsert

from .models import CompPlan, Payout

HOLD_TYPE = "map_signoff_hold"


def on_order_closed_won(sender, opportunity, **kwargs) -> None:
    payouts_create_for_close(opportunity=opportunity)


def payouts_create_for_close(*, opportunity) -> list[Payout]:
    """ACV commission and usage realization for the deal owner; once per deal and kind."""
    if opportunity.owner_id is None:
        return []
    closed = (opportunity.closed_at or clock.now()).date()
    plan = [
        (Payout.Kind.ACV_COMMISSION, settings.COMP_ACV_COMMISSION_RATE, settings.COMP_ACV_PAYOUT_DAYS),
        (Payout.Kind.USAGE_REALIZATION, settings.COMP_USAGE_REALIZATION_RATE, settings.COMP_USAGE_PAYOUT_DAYS),
    ]
    created = []
    for kind, rate, days in plan:
        payout, made = Payout.objects.get_or_create(
            opportunity=opportunity,
            kind=kind,
            defaults={
                "employee_id": opportunity.owner_id,
                "due_date": closed + dt.timedelta(days=days),
                "amount": (opportunity.acv * Decimal(str(rate))).quantize(Decimal("0.01")),
            },
        )
        if made:
            created.append(payout)
    return created


@transaction.atomic
def comp_hold_run(*, today: dt.date | None = None) -> dict[str, int]:
    """Place unpaid payouts of deals with an active hold on hold; lift holds whose exception is released.

    Running it twice changes nothing the second time.
    """
    now = clock.now()
    active_hold = ExceptionLog.objects.filter(
        exception_type=HOLD_TYPE, status=ExceptionLog.Status.ACTIVE, opportunity_id=OuterRef("opportunity_id")
    )
    to_hold = list(
        Payout.objects.filter(status=Payout.Status.SCHEDULED)
        .filter(Exists(active_hold))
        .values_list("id", "opportunity_id", "employee_id", "kind")
    )
    to_release = list(
        Payout.objects.filter(status=Payout.Status.HELD, hold_reason=HOLD_TYPE)
        .filter(~Exists(active_hold))
        .values_list("id", "opportunity_id", "employee_id", "kind")
    )
    if to_hold:
        Payout.objects.filter(id__in=[row[0] for row in to_hold]).update(
            status=Payout.Status.HELD, hold_reason=HOLD_TYPE, held_at=now
        )
    if to_release:
        Payout.objects.filter(id__in=[row[0] for row in to_release]).update(
            status=Payout.Status.SCHEDULED, hold_reason="", released_at=now
        )
    _payout_events([("held", to_hold), ("released", to_release)], now=now, actor_label="comp-run")
    return {"held": len(to_hold), "released": len(to_release)}


def _payout_events(groups, *, now, actor_label: str) -> None:
    Event.objects.bulk_create(
        [
            Event(
                type=f"comp.payout_{verb}",
                subject_type="comp.payout",
                subject_id=str(pid),
                actor_label=actor_label,
                payload={"opportunity_id": opp, "employee_id": emp, "kind": kind, "reason": HOLD_TYPE},
                occurred_at=now,
            )
            for verb, rows in groups
            for pid, opp, emp, kind in rows
        ],
        batch_size=5000,
    )


@transaction.atomic
def payouts_release_for(*, opportunity_id: int) -> int:
    """Seed 000: the hold "lifts automatically when MAP sign-off is recorded" — the sign-off service calls
    this inside its own transaction, so payouts are released with the sign-off; the daily run stays the
    backstop. Releases nothing while another ``map_signoff_hold`` on the deal is still active."""
    if ExceptionLog.objects.filter(
        exception_type=HOLD_TYPE, status=ExceptionLog.Status.ACTIVE, opportunity_id=opportunity_id
    ).exists():
        return 0
    rows = list(
        Payout.objects.select_for_update()
        .filter(opportunity_id=opportunity_id, status=Payout.Status.HELD, hold_reason=HOLD_TYPE)
        .values_list("id", "opportunity_id", "employee_id", "kind")
    )
    if not rows:
        return 0
    now = clock.now()
    Payout.objects.filter(id__in=[r[0] for r in rows], status=Payout.Status.HELD).update(
        status=Payout.Status.SCHEDULED, hold_reason="", released_at=now
    )
    _payout_events([("released", rows)], now=now, actor_label="map-signoff")
    return len(rows)


@transaction.atomic
def comp_plan_upsert(
    *,
    period: str,
    period_start: dt.date,
    period_end: dt.date,
    employee_email=None,
    role: str = "",
    segment: str = "",
    touches_per_week=None,
    calls_per_week=None,
    meetings_per_month=None,
) -> tuple[CompPlan, bool]:
    """A period's activity expectations for one employee, or for a role (optionally one segment), keyed by
    who it is for and the period label. Plans for the same people may not overlap in time."""
    employee = resolve_employee("employee_email", employee_email)
    if employee is not None and (role or segment):
        raise ValueError("role: a plan is for one employee or for a role, not both")
    if employee is None and not role:
        raise ValueError("role: name the employee_email or the role the plan is for")
    target = {"employee": employee} if employee else {"employee": None, "role": role, "segment": segment or ""}
    clash = (
        CompPlan.objects.filter(**target, period_start__lte=period_end, period_end__gte=period_start)
        .exclude(period=period)
        .first()
    )
    if clash is not None:
        raise ValueError(
            f"period_start: {period} ({period_start} to {period_end}) overlaps plan {clash.period} "
            f"({clash.period_start} to {clash.period_end})"
        )
    values = {
        "period_start": period_start,
        "period_end": period_end,
        "touches_per_week": touches_per_week,
        "calls_per_week": calls_per_week,
        "meetings_per_month": meetings_per_month,
    }
    return upsert(CompPlan, key={**target, "period": period}, values=values)
