"""The "ConvIntelligence quality below threshold for 30+ days" row: per rep, was the trailing-30-day call
score in the role cohort's bottom quartile on each of the last ``days`` days? One read of the calls."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from gtmos.crm.models import ConvIntelligenceCall

from .base import Rep, Window
from .benchmarks import MIN_COHORT, percentile
from .calls import TRAILING_DAYS


def trailing_scores(reps: dict[int, Rep], as_of: dt.date, days: int) -> dict[int, list[float | None]]:
    """Per rep, the trailing-30-day mean quality for each of the ``days`` days ending on ``as_of``."""
    w = Window(as_of)
    first = as_of - dt.timedelta(days=days - 1)
    daily = defaultdict(lambda: defaultdict(lambda: [0.0, 0]))
    for owner, role, at, q in ConvIntelligenceCall.objects.filter(
        owner_id__in=list(reps),
        quality_score__isnull=False,
        occurred_at__gte=w.start_dt(days + TRAILING_DAYS - 1),
        occurred_at__lt=w.end_dt,
    ).values_list("owner_id", "owner_role", "occurred_at", "quality_score"):
        if role != reps[owner].role:  # as call_quality: calls in the role the rep is measured in
            continue
        cell = daily[owner][at.date()]
        cell[0] += q
        cell[1] += 1
    # Running sums over the span (first - 29 days … as_of): each day's trailing window is a difference of two
    # sums instead of 30 lookups (2,000 reps × 30 days × 30 lookups was most of the daily run's Python time).
    # Scores are integers, so the sums are exact and the means the same as summing each window.
    start = first - dt.timedelta(days=TRAILING_DAYS - 1)
    span = [start + dt.timedelta(days=j) for j in range(days + TRAILING_DAYS - 1)]
    series = {}
    for rep_id, by_day in daily.items():
        totals, counts = [0.0], [0]
        for d in span:
            cell = by_day.get(d)
            totals.append(totals[-1] + (cell[0] if cell else 0))
            counts.append(counts[-1] + (cell[1] if cell else 0))
        values = []
        for i in range(days):  # the window of day first + i is span[i : i + TRAILING_DAYS]
            n = counts[i + TRAILING_DAYS] - counts[i]
            values.append((totals[i + TRAILING_DAYS] - totals[i]) / n if n else None)
        series[rep_id] = values
    return series


def bottom_quartile_all_days(reps: dict[int, Rep], as_of: dt.date, days: int) -> dict[int, tuple[float, float]]:
    """Reps whose trailing score sat below their role cohort's 25th percentile on every one of the last
    ``days`` days → (their latest score, the cohort's 25th percentile that day)."""
    series = trailing_scores(reps, as_of, days)
    by_role = defaultdict(list)
    for rep_id in series:
        by_role[reps[rep_id].role].append(rep_id)
    below = {}
    for role, ids in by_role.items():
        q1 = []
        for i in range(days):
            day_values = [series[r][i] for r in ids if series[r][i] is not None]
            q1.append(percentile(day_values, 25) if len(day_values) >= MIN_COHORT else None)
        for r in ids:
            s = series[r]
            if all(q is not None and v is not None and v < q for v, q in zip(s, q1)):
                below[r] = (round(s[-1], 1), round(q1[-1], 1))
    return below
