"""Evidence for new patterns that the metric reads do not carry: the calls behind a call metric.

One query for every rep with a new call pattern this week, so the run's query count stays flat."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from gtmos.crm.models import ConvIntelligenceCall

from ..metrics.base import Window
from ..metrics.calls import TRAILING_DAYS

CALL_FAMILIES = {
    "call_quality": "quality_score",
    "objection_handling": "quality_score",
    "next_step_rate": "quality_score",
    "sentiment_trend": "sentiment",
    "talk_ratio": "-talk_ratio",
    "discovery_questions": "qualification_coverage",
    "product_knowledge": "quality_score",
}
PER_PATTERN = 3


def enrich(week: dt.date, new: list[tuple[int, object]]) -> None:
    wanted = [(rep_id, r) for rep_id, r in new if r.metric.family in CALL_FAMILIES]
    if not wanted:
        return
    w = Window(week)
    calls = defaultdict(list)
    for row in ConvIntelligenceCall.objects.filter(
        owner_id__in={rep_id for rep_id, _ in wanted},
        occurred_at__gte=w.start_dt(TRAILING_DAYS),
        occurred_at__lt=w.end_dt,
    ).values(
        "owner_id",
        "occurred_at",
        "call_type",
        "quality_score",
        "sentiment",
        "talk_ratio",
        "qualification_coverage",
        "account__name",
    ):
        calls[row["owner_id"]].append(row)
    for rep_id, r in wanted:
        field = CALL_FAMILIES[r.metric.family]
        worst_first = field.startswith("-")
        key = field.lstrip("-")
        ranked = sorted((c for c in calls[rep_id] if c[key] is not None), key=lambda c: c[key], reverse=worst_first)
        r.evidence = {
            **r.evidence,
            "calls": [
                f"{c['call_type']} call with {c['account__name'] or 'a prospect'} on {c['occurred_at']:%b %d} "
                f"({key.replace('_', ' ')} {c[key]:g})"
                for c in ranked[:PER_PATTERN]
            ],
        }
