"""Onboarding escalations as a triage list for the SLM, managers, CSMs and AMs (issue 20; seed 004: "Track
resolution times"): filter by kind, owner, age and state, sort by any column, and the resolution time per kind
(opened → resolved). Fixed queries: the page of rows, its count, the per-kind report, the owner choices."""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max, Q

from gtmos.core import clock
from gtmos.core.sorting import Column, Sort

STATES = {"open": "Open", "resolved": "Resolved", "all": "All"}
AGES = {"": "Any age", "7": "Open more than 7 days", "14": "Open more than 14 days", "30": "Open more than 30 days"}
SORT = Sort(
    [
        Column("fired", "Opened", ("fired_at",)),
        Column("kind", "Kind", ("kind",)),
        Column("account", "Account", ("plan__account__name",)),
        Column("owner", "Owner (CSM)", ("plan__csm__name",)),
        Column("resolved", "Resolved", ("resolved_at",)),
    ],
    default="fired",
)


def _visible(user):
    from onboarding.models import Escalation, OnboardingPlan

    return Escalation.objects.filter(plan__in=OnboardingPlan.objects.visible_to(user).values("pk"))


def escalation_list(*, user, kind: str = "", owner: int | None = None, age: str = "", state: str = "open", sort=None):
    qs = _visible(user).select_related("plan__account", "plan__csm")
    if kind:
        qs = qs.filter(kind=kind)
    if owner:
        qs = qs.filter(plan__csm_id=owner)
    if state == "open":
        qs = qs.filter(resolved_at__isnull=True)
    elif state == "resolved":
        qs = qs.filter(resolved_at__isnull=False)
    if age in AGES and age:
        qs = qs.filter(fired_at__lte=clock.now() - dt.timedelta(days=int(age)))
    return qs.order_by(*(sort or SORT.default).order_by)


def resolution_report(*, user) -> list[dict]:
    """Per kind: how many fired, how many are open, and how long resolved ones took (average and longest)."""
    from onboarding.models import Escalation

    took = ExpressionWrapper(F("resolved_at") - F("fired_at"), output_field=DurationField())
    rows = (
        _visible(user)
        .values("kind")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(resolved_at__isnull=True)),
            resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
            avg=Avg(took, filter=Q(resolved_at__isnull=False)),
            longest=Max(took, filter=Q(resolved_at__isnull=False)),
        )
        .order_by("kind")
    )
    labels = dict(Escalation.Kind.choices)
    return [
        {
            **r,
            "label": labels.get(r["kind"], r["kind"]),
            "avg_days": round(r["avg"].total_seconds() / 86400, 1) if r["avg"] else None,
            "longest_days": round(r["longest"].total_seconds() / 86400, 1) if r["longest"] else None,
        }
        for r in rows
    ]


def owners(*, user) -> list[tuple[int, str]]:
    return list(
        _visible(user)
        .filter(plan__csm__isnull=False)
        .values_list("plan__csm_id", "plan__csm__name")
        .distinct()
        .order_by("plan__csm__name")
    )
