"""ConvIntelligence reads shared by every role: conversation quality, next steps, sentiment, talk ratio,
discovery questions — trailing 30 days of the rep's own calls (call_owner_role = the rep's role)."""

from __future__ import annotations

from django.db.models import Avg, Count, F, Q

from gtmos.crm.models import ConvIntelligenceCall

from .base import Readings, Reading, Rep, Window, pct, put

TRAILING_DAYS = 30
DEMO_TYPES = ("demo", "onboarding", "qbr")


def call_stats(reps: dict[int, Rep], w: Window) -> dict[int, dict]:
    """One grouped query: per rep, the call aggregates every role's ConvIntelligence metrics use."""
    rows = (
        ConvIntelligenceCall.objects.filter(owner_id__in=list(reps), occurred_at__gte=w.start_dt(TRAILING_DAYS),
                                            occurred_at__lt=w.end_dt)
        # Calls made in the rep's current role only: a rep who moved from SDR to AE is not coached as an AE
        # on their SDR calls (call_owner_role is the role at call time).
        .filter(owner_role=F("owner__role"))
        .values("owner_id")
        .annotate(
            calls=Count("id"),
            quality=Avg("quality_score"),
            objection_calls=Count("id", filter=~Q(objections=[])),
            objection_quality=Avg("quality_score", filter=~Q(objections=[])),
            with_next_step=Count("id", filter=~Q(next_steps=[])),
            sentiment=Avg("sentiment"),
            talk_ratio=Avg("talk_ratio"),
            discovery_calls=Count("id", filter=Q(call_type="discovery")),
            discovery_questions=Avg("question_count", filter=Q(call_type="discovery")),
            demo_calls=Count("id", filter=Q(call_type__in=DEMO_TYPES)),
            demo_quality=Avg("quality_score", filter=Q(call_type__in=DEMO_TYPES)),
        )
    )
    return {r["owner_id"]: r for r in rows}


def add_call_metrics(out: Readings, reps: dict[int, Rep], stats: dict[int, dict], codes: dict[str, tuple[str, ...]],
                     min_sample: int) -> None:
    """Readings for the call metrics each role config lists (``codes[role]``)."""
    for rep_id, s in stats.items():
        role = reps[rep_id].role
        wanted = codes.get(role, ())
        n = s["calls"]
        if n < min_sample:
            continue
        if "call_quality" in wanted and s["quality"] is not None:
            put(out, rep_id, "call_quality", Reading(round(s["quality"], 2), n))
        if "objection_handling" in wanted and s["objection_quality"] is not None and s["objection_calls"] >= min_sample:
            put(out, rep_id, "objection_handling", Reading(round(s["objection_quality"], 2), s["objection_calls"]))
        if "next_step_rate" in wanted:
            put(out, rep_id, "next_step_rate", Reading(pct(s["with_next_step"], n), n))
        if "call_sentiment" in wanted and s["sentiment"] is not None:
            put(out, rep_id, "call_sentiment", Reading(round(s["sentiment"], 3), n))
        if "talk_ratio" in wanted and s["talk_ratio"] is not None:
            put(out, rep_id, "talk_ratio", Reading(round(s["talk_ratio"], 3), n))
        if "discovery_questions" in wanted and s["discovery_calls"] >= min_sample and s["discovery_questions"] is not None:
            put(out, rep_id, "discovery_questions", Reading(round(s["discovery_questions"], 2), s["discovery_calls"]))
        if "product_knowledge" in wanted and s["demo_calls"] >= min_sample and s["demo_quality"] is not None:
            put(out, rep_id, "product_knowledge", Reading(round(s["demo_quality"], 2), s["demo_calls"]))
