"""CSM config (seed 001 "Metric inputs by role · CSM"): TTV achievement vs target, NPS/CSAT trend, onboarding
milestone adherence, health trajectory across the book, call sentiment trend and talk ratio, escalation rate, and
the expansion motion behind "sales methodology"."""

from __future__ import annotations

from django.db.models import Count, F, Q

from gtmos.crm.models import Account
from onboarding.models import MilestoneItem

from .am import expansion, health_trend
from .base import Reading, Readings, Rep, Window, pct, put
from .calls import sentiment_trend

TTV_DAYS = 365
MILESTONE_DAYS = 90


def ttv(reps, w: Window, out: Readings, min_sample: int) -> None:
    """Onboardings completed in the last year: ttv_achieved_days within ttv_target_days (AGT-601)."""
    rows = (
        Account.objects.filter(
            csm_id__in=list(reps),
            onboarding_complete_date__gte=w.start(TTV_DAYS),
            onboarding_complete_date__lte=w.as_of,
            ttv_achieved_days__isnull=False,
            ttv_target_days__isnull=False,
        )
        .values("csm_id")
        .annotate(n=Count("id"), met=Count("id", filter=Q(ttv_achieved_days__lte=F("ttv_target_days"))))
    )
    for r in rows:
        if r["n"] >= min_sample:
            put(out, r["csm_id"], "ttv_achievement", Reading(pct(r["met"], r["n"]), r["n"]))


def milestones(reps, w: Window, out: Readings, min_sample: int) -> None:
    """Milestones due in the last 90 days on the CSM's onboardings: completed on or before the target date."""
    rows = (
        MilestoneItem.objects.filter(
            plan__account__csm_id__in=list(reps), target_date__gte=w.start(MILESTONE_DAYS), target_date__lte=w.as_of
        )
        .values("plan__account__csm_id")
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(completed_on__lte=F("target_date"))))
    )
    for r in rows:
        if r["n"] >= min_sample:
            put(out, r["plan__account__csm_id"], "milestone_adherence", Reading(pct(r["on_time"], r["n"]), r["n"]))


def compute(reps: dict[int, Rep], w: Window, out: Readings, min_sample: int, settings) -> None:
    if not reps:
        return
    books = health_trend(reps, w, out, min_sample, field_name="csm_id", code="health_trajectory")
    for rep_id, book in books.items():
        if book.satisfaction_trend is not None and len(book.satisfaction_deltas) >= min_sample:
            put(out, rep_id, "nps_csat_trend", Reading(book.satisfaction_trend, len(book.satisfaction_deltas)))
        if book.accounts >= min_sample:
            put(out, rep_id, "escalation_rate", Reading(pct(book.at_risk, book.accounts), book.accounts))
    ttv(reps, w, out, min_sample)
    milestones(reps, w, out, min_sample)
    expansion(reps, w, out, min_sample, field_name="csm_id", code="expansion_motion")
    sentiment_trend(reps, w, out, min_sample)
