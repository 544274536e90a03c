"""ConvIntelligence reads shared by every role: conversation quality, next steps, sentiment, talk ratio,
discovery questions — trailing 30 days of the rep's own calls (call_owner_role = the rep's role)."""

from __future__ import annotations

from django.db.models import Avg, Case, Count, DecimalField, F, FloatField, IntegerField, Q, Value, When
from django.db.models.functions import Cast

from gtmos.crm.models import ConvIntelligenceCall, Role

from .base import Reading, Readings, Rep, Window, pct, put

TRAILING_DAYS = 30
DEMO_TYPES = ("demo", "onboarding", "qbr")
# Seed 001's SDR rows read discovery calls: "Discovery call objection patterns", "SDR talk ratio on discovery
# calls vs team median".
DISCOVERY_ROLES = (Role.SDR,)
DISCOVERY = Q(call_type="discovery")
ANALYSED_DISCOVERY = DISCOVERY & Q(question_depth__isnull=False, qualification_coverage__isnull=False)
SENTIMENT_WINDOWS = 3  # the CSM sentiment trend: slope over three trailing 30-day windows


def _exact_avg(field, **kwargs):
    """Average a float column as numeric: PostgreSQL's parallel float sums do not add in a fixed order, so a
    re-run could move the third decimal and flip a benchmark miss ("jobs run twice give the same state")."""
    return Cast(Avg(Cast(field, DecimalField(max_digits=12, decimal_places=6)), **kwargs), FloatField())


def call_stats(reps: dict[int, Rep], w: Window) -> dict[int, dict]:
    """One grouped query: per rep, the call aggregates every role's ConvIntelligence metrics use."""
    rows = (
        ConvIntelligenceCall.objects.filter(
            owner_id__in=list(reps), occurred_at__gte=w.start_dt(TRAILING_DAYS), occurred_at__lt=w.end_dt
        )
        # Calls made in the role the rep is measured in only: a rep who moved from SDR to AE is not coached as
        # an AE on their SDR calls (call_owner_role is the role at call time). Grouped by role, picked below.
        .values("owner_id", "owner_role")
        .annotate(
            # Each average comes with the count of the values behind it (Count(field) skips NULLs): an unscored
            # call has no quality, sentiment or talk ratio, and must not pad a thin average up to min_sample.
            calls=Count("id"),
            scored=Count("quality_score"),
            quality=Avg("quality_score"),
            objection_calls=Count("quality_score", filter=~Q(objections=[])),
            objection_quality=Avg("quality_score", filter=~Q(objections=[])),
            with_next_step=Count("id", filter=~Q(next_steps=[])),
            talk_calls=Count("talk_ratio"),
            talk_avg=_exact_avg("talk_ratio"),
            # Seed 001: "Question depth and qualification coverage": each analysed discovery call scores
            # 50 × (depth + coverage), 0–100.
            discovery_calls=Count("id", filter=ANALYSED_DISCOVERY),
            discovery_quality=_exact_avg(
                (F("question_depth") + F("qualification_coverage")) * 50, filter=ANALYSED_DISCOVERY
            ),
            discovery_objection_calls=Count("quality_score", filter=DISCOVERY & ~Q(objections=[])),
            discovery_objection_quality=Avg("quality_score", filter=DISCOVERY & ~Q(objections=[])),
            discovery_talk_calls=Count("talk_ratio", filter=DISCOVERY),
            discovery_talk_avg=_exact_avg("talk_ratio", filter=DISCOVERY),
            demo_calls=Count("quality_score", filter=Q(call_type__in=DEMO_TYPES)),
            demo_quality=Avg("quality_score", filter=Q(call_type__in=DEMO_TYPES)),
        )
        # In the group keys' order, whether the planner sorts or hashes (services.batch): the readings' order
        # decides the order new patterns are written in.
        .order_by("owner_id", "owner_role")
    )
    return {r["owner_id"]: r for r in rows if r["owner_role"] == reps[r["owner_id"]].role}


def add_call_metrics(
    out: Readings, reps: dict[int, Rep], stats: dict[int, dict], codes: dict[str, tuple[str, ...]], min_sample: int
) -> None:
    """Readings for the call metrics each role config lists (``codes[role]``)."""
    for rep_id, s in stats.items():
        role = reps[rep_id].role
        wanted = codes.get(role, ())
        n = s["calls"]
        if n < min_sample:
            continue

        def averaged(code, avg, count, digits=2):
            if code in wanted and avg is not None and count >= min_sample:
                put(out, rep_id, code, Reading(round(avg, digits), count))

        d = "discovery_" if role in DISCOVERY_ROLES else ""
        averaged("call_quality", s["quality"], s["scored"])
        averaged("objection_handling", s[f"{d}objection_quality"], s[f"{d}objection_calls"])
        if "next_step_rate" in wanted:
            put(out, rep_id, "next_step_rate", Reading(pct(s["with_next_step"], n), n))
        averaged("talk_ratio", s[f"{d}talk_avg"], s[f"{d}talk_calls"], 3)
        averaged("discovery_questions", s["discovery_quality"], s["discovery_calls"])
        averaged("product_knowledge", s["demo_quality"], s["demo_calls"])


def sentiment_trend(reps: dict[int, Rep], w: Window, out: Readings, min_sample: int) -> None:
    """Seed 001's CSM "sentiment trend": the mean sentiment of each trailing 30-day window (the last 90 days,
    oldest first), and the least-squares slope across the windows with at least ``min_sample`` scored calls,
    in sentiment points per 30 days. One grouped query."""
    bucket = Case(
        *(
            When(occurred_at__gte=w.start_dt(TRAILING_DAYS * (SENTIMENT_WINDOWS - k)), then=Value(k))
            for k in range(SENTIMENT_WINDOWS - 1, 0, -1)
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    rows = (
        ConvIntelligenceCall.objects.filter(
            owner_id__in=list(reps),
            sentiment__isnull=False,
            occurred_at__gte=w.start_dt(TRAILING_DAYS * SENTIMENT_WINDOWS),
            occurred_at__lt=w.end_dt,
        )
        .annotate(window=bucket)
        .values("owner_id", "owner_role", "window")
        .annotate(n=Count("id"), avg=_exact_avg("sentiment"))
        .order_by("owner_id", "owner_role", "window")  # as call_stats: the same order sorted or hashed
    )
    windows: dict[int, dict[int, tuple[int, float]]] = {}
    for r in rows:
        if r["n"] >= min_sample and r["owner_role"] == reps[r["owner_id"]].role:
            windows.setdefault(r["owner_id"], {})[r["window"]] = (r["n"], r["avg"])
    for rep_id, by_window in windows.items():
        if len(by_window) < 2:
            continue
        xs = sorted(by_window)
        ys = [by_window[x][1] for x in xs]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
        put(
            out,
            rep_id,
            "sentiment_trend",
            Reading(round(slope, 3), sum(by_window[x][0] for x in xs), evidence={"windows": [round(y, 3) for y in ys]}),
        )
