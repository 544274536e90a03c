"""Seed 004 "Churn risk prediction … Prioritize interventions": the prioritised intervention list.

Each visible customer on the latest health day is ranked by

    priority = risk^W_RISK × ARR^W_ARR × renewal proximity^W_RENEWAL

where
    risk      = (100 − health score) / 100            (0 healthy … 1 critical)
    ARR       = the account's ARR                     (with the weights at 1, priority is "ARR exposed")
    proximity = 1 when the renewal is within INTERVENTION_RENEWAL_FULL_DAYS (or already past),
                falling linearly to INTERVENTION_RENEWAL_FLOOR at INTERVENTION_RENEWAL_HORIZON_DAYS and beyond;
                the floor when there is no renewal date (a far renewal lowers the urgency, never hides risk).

The weights are exponents (settings, default 1): 1 counts a factor as it is, 2 makes it count more, 0 ignores
it. The whole ranking is one SQL ORDER BY over the visible records (it stays two queries — the page and its
count — whatever the book size), and every row carries its three components so a CSM sees why it is high."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Case,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Value,
    When,
)
from django.db.models.functions import Cast, ExtractDay

from gtmos.crm.access import employee_of, sees_everything

from .models import CustomerHealthLog
from .selectors import _open_stage

ROLES = ("csm", "am", "manager", "slm")


@dataclass(frozen=True)
class Weights:
    risk: float
    arr: float
    renewal: float
    full_days: int
    horizon_days: int
    floor: float


def weights() -> Weights:
    return Weights(
        risk=float(getattr(settings, "INTERVENTION_WEIGHT_RISK", 1.0)),
        arr=float(getattr(settings, "INTERVENTION_WEIGHT_ARR", 1.0)),
        renewal=float(getattr(settings, "INTERVENTION_WEIGHT_RENEWAL", 1.0)),
        full_days=int(getattr(settings, "INTERVENTION_RENEWAL_FULL_DAYS", 30)),
        horizon_days=int(getattr(settings, "INTERVENTION_RENEWAL_HORIZON_DAYS", 365)),
        floor=float(getattr(settings, "INTERVENTION_RENEWAL_FLOOR", 0.1)),
    )


def can_see(user) -> bool:
    """CSMs and AMs (their book), managers and SLMs (their teams'), RevOps and executives (everyone's)."""
    employee = employee_of(user)
    return sees_everything(user) or (employee is not None and employee.role in ROLES)


class _Power(Func):
    function = "POWER"
    output_field = FloatField()


def _proximity(day: dt.date, w: Weights):
    days = ExtractDay(
        ExpressionWrapper(
            F("account__renewal_date") - Value(day, output_field=DateField()), output_field=DurationField()
        )
    )
    span = max(w.horizon_days - w.full_days, 1)
    falling = Value(1.0) - Value(1.0 - w.floor) * Cast(days - Value(w.full_days), FloatField()) / Value(float(span))
    return days, Case(
        When(account__renewal_date__isnull=True, then=Value(w.floor)),
        When(account__renewal_date__lte=day + dt.timedelta(days=w.full_days), then=Value(1.0)),
        When(account__renewal_date__gte=day + dt.timedelta(days=w.horizon_days), then=Value(w.floor)),
        default=falling,
        output_field=FloatField(),
    )


def intervention_list(*, user, day: dt.date, tier: str = "", mine: bool = False):
    """The ranked records (highest priority first) with ``risk``, ``days_to_renewal``, ``proximity`` and
    ``priority`` annotated; accounts with no ARR or no risk rank last (priority 0)."""
    w = weights()
    days, proximity = _proximity(day, w)
    risk = (Value(100.0) - Cast(F("score"), FloatField())) / Value(100.0)
    records = (
        CustomerHealthLog.objects.visible_to(user)
        .filter(day=day)
        .select_related("account", "account__csm", "account__am")
        .annotate(risk=risk, days_to_renewal=days, proximity=proximity, risk_stage=_open_stage())
        .annotate(
            priority=_Power(F("risk"), Value(w.risk))
            * _Power(Cast(F("account__arr"), FloatField()), Value(w.arr))
            * _Power(F("proximity"), Value(w.renewal))
        )
    )
    if tier:
        records = records.filter(tier=tier)
    if mine:
        employee = employee_of(user)
        if employee is not None:
            from django.db.models import Q

            records = records.filter(Q(account__csm=employee) | Q(account__am=employee))
    return records.order_by(F("priority").desc(nulls_last=True), "account__name", "pk")
