"""Comp governance: payouts at close, and the daily run that applies and lifts MAP sign-off holds.

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

from .models import Payout

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
            opportunity=opportunity, kind=kind,
            defaults={"employee_id": opportunity.owner_id, "due_date": closed + dt.timedelta(days=days),
                      "amount": (opportunity.acv * Decimal(str(rate))).quantize(Decimal("0.01"))},
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
        Payout.objects.filter(status=Payout.Status.SCHEDULED).filter(Exists(active_hold))
        .values_list("id", "opportunity_id", "employee_id", "kind")
    )
    to_release = list(
        Payout.objects.filter(status=Payout.Status.HELD, hold_reason=HOLD_TYPE).filter(~Exists(active_hold))
        .values_list("id", "opportunity_id", "employee_id", "kind")
    )
    if to_hold:
        Payout.objects.filter(id__in=[row[0] for row in to_hold]).update(
            status=Payout.Status.HELD, hold_reason=HOLD_TYPE, held_at=now)
    if to_release:
        Payout.objects.filter(id__in=[row[0] for row in to_release]).update(
            status=Payout.Status.SCHEDULED, hold_reason="", released_at=now)
    events = [
        Event(type=f"comp.payout_{verb}", subject_type="comp.payout", subject_id=str(pid), actor_label="comp-run",
              payload={"opportunity_id": opp, "employee_id": emp, "kind": kind, "reason": HOLD_TYPE},
              occurred_at=now)
        for verb, rows in (("held", to_hold), ("released", to_release))
        for pid, opp, emp, kind in rows
    ]
    Event.objects.bulk_create(events, batch_size=5000)
    return {"held": len(to_hold), "released": len(to_release)}
