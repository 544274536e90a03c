"""RepSkillAssessmentLog: skill gaps detected from calls, quotes and cadence events, never self-reported.

Each dimension maps, per role, to the metric that evidences it; the rep's cohort percentile within the role
decides the gap and its severity, and the previous assessment gives the trend."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from gtmos.crm.models import Role

from ..metrics.benchmarks import rank_percentile_sorted
from ..models import RepSkillAssessmentLog as Log
from ..models import SkillDimension as D

S = Log.Source
# (dimension, metric code, evidence source) per role — seed 001's "Skill gaps" row of the role table.
SKILLS = {
    Role.AE: (
        (D.OBJECTION_HANDLING, "objection_handling", S.CONV_INTELLIGENCE),
        (D.PRODUCT_KNOWLEDGE, "product_knowledge", S.CONV_INTELLIGENCE),
        (D.PRICING_NEGOTIATION, "discount_depth", S.QUOTE_LOG),
    ),
    Role.AM: (
        (D.OBJECTION_HANDLING, "objection_handling", S.CONV_INTELLIGENCE),
        (D.PRODUCT_KNOWLEDGE, "product_knowledge", S.CONV_INTELLIGENCE),
        (D.PRICING_NEGOTIATION, "discount_depth", S.QUOTE_LOG),
    ),
    Role.CSM: (
        (D.PRODUCT_KNOWLEDGE, "product_knowledge", S.CONV_INTELLIGENCE),
        # Seed 001: "Sales methodology gaps — Expansion motion execution quality".
        (D.SALES_METHODOLOGY, "expansion_motion", S.EXPANSION_LOG),
    ),
    # Seed 001: "Objection handling — Discovery call objection patterns" (ConvIntelligence, not cadences).
    Role.SDR: (
        (D.OBJECTION_HANDLING, "objection_handling", S.CONV_INTELLIGENCE),
        (D.DISCOVERY_QUESTIONS, "discovery_questions", S.CONV_INTELLIGENCE),
        (D.TALK_TIME, "talk_ratio", S.CONV_INTELLIGENCE),
    ),
}
# Cohort percentile bands: below HIGH is a high-severity gap, and so on; at or above LOW no gap.
HIGH, MEDIUM, LOW = 10, 25, 35
TREND_PCT = 5  # a move of more than 5% vs the last assessment is a trend; less is stable
LOOKBACK_DAYS = 35


def severity(percentile: int) -> str:
    if percentile < HIGH:
        return Log.Severity.HIGH
    if percentile < MEDIUM:
        return Log.Severity.MEDIUM
    return Log.Severity.LOW if percentile < LOW else ""


def trend(prev: float | None, now: float, higher_is_better: bool) -> str:
    if prev is None or prev == now:
        return Log.Trend.STABLE
    change = (now - prev) / abs(prev) * 100 if prev else (100.0 if now > prev else -100.0)
    if not higher_is_better:
        change = -change
    if change > TREND_PCT:
        return Log.Trend.IMPROVING
    if change < -TREND_PCT:
        return Log.Trend.DETERIORATING
    return Log.Trend.STABLE


def assess_skills(*, week: dt.date, reps: dict, results: dict) -> int:
    cohort = defaultdict(list)
    for rep_id, by_code in results.items():
        for dimension, code, _ in SKILLS.get(reps[rep_id].role, ()):
            if code in by_code:
                cohort[(reps[rep_id].role, code)].append(by_code[code].value)
    for values in cohort.values():
        values.sort()  # ranked by bisect: n log n for the cohort, not n²
    previous = {}
    for rep_id, dim, value in (
        Log.objects.filter(
            rep_id__in=list(reps),
            assessment_date__lt=week,
            assessment_date__gte=week - dt.timedelta(days=LOOKBACK_DAYS),
        )
        .order_by("assessment_date")
        .values_list("rep_id", "skill_dimension", "value")
    ):
        previous[(rep_id, dim)] = value  # ascending: the latest wins
    rows = []
    for rep_id, by_code in results.items():
        rep = reps[rep_id]
        for dimension, code, source in SKILLS.get(rep.role, ()):
            r = by_code.get(code)
            if r is None:
                continue
            pctl = rank_percentile_sorted(cohort[(rep.role, code)], r.value, r.metric.higher_is_better)
            sev = severity(pctl)
            rows.append(
                Log(
                    rep_id=rep_id,
                    role=rep.role,
                    assessment_date=week,
                    skill_dimension=dimension,
                    gap_detected=bool(sev),
                    severity=sev,
                    evidence_source=source,
                    trend=trend(previous.get((rep_id, dimension)), r.value, r.metric.higher_is_better),
                    cohort_percentile=pctl,
                    value=r.value,
                    sample=r.sample,
                )
            )
    Log.objects.filter(assessment_date=week, rep_id__in=list(reps)).delete()
    Log.objects.bulk_create(rows)  # one statement whatever the number of reps (UNNEST on PostgreSQL)
    return len(rows)
