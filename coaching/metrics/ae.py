"""AE config (seed 001 "Metric inputs by role · AE"): quota attainment vs pace, stage conversion by stage
pair, deal velocity, deal advance (AGT-405 briefs), forecast accuracy, discount depth and term exceptions.
AM reuses the quote reads for expansion deals."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection
from django.db.models import Avg, Count, Q

from gtmos.crm.models import (
    Opportunity,
    OpportunityBriefLog,
    Quota,
    QuotaRetirementLedger,
    Quote,
    Stage,
)

from .base import Reading, Readings, Rep, Window, pct, put

CONVERSION_DAYS = 180
VELOCITY_DAYS = 180
ADVANCE_DAYS = 90
QUOTE_DAYS = 90
# The forecast call compared with the close: the rep's commit four weeks before the period ends.
COMMIT_LEAD_DAYS = 28

LADDER = [s.value for s in Stage.ladder()]
RUNG = {stage: i for i, stage in enumerate(LADDER)}
OPEN_RUNGS = frozenset(LADDER[:-1])
# Stage pairs numbered as reps say them ("stage 2→3" is discovery → demo).
STAGE_PAIRS = [(LADDER[i], LADDER[i + 1]) for i in range(len(LADDER) - 1)]


def pair_code(a: str, b: str) -> str:
    return f"stage_conversion:{a}>{b}"


def velocity_code(stage: str) -> str:
    return f"deal_velocity:{stage}"


def velocity_label(stage: str) -> str:
    return f"Days in stage {LADDER.index(stage) + 1} ({Stage(stage).label}) vs segment median"


def pair_label(a: str, b: str) -> str:
    i = LADDER.index(a) + 1
    return f"Stage {i}→{i + 1} conversion ({Stage(a).label} → {Stage(b).label})"


def attainment(reps: dict[int, Rep], w: Window, out: Readings) -> None:
    """(closed + committed) against the quota's time-weighted pace at the latest ledger row; the reading
    also carries attainment (closed / quota, and closed + committed / quota) and weeks left, which the
    < 50% / < 6 weeks escalation row reads."""
    quotas = {
        q.pk: q for q in Quota.objects.filter(rep_id__in=list(reps), period_start__lte=w.as_of, period_end__gte=w.as_of)
    }
    # Each quota's latest ledger row by as_of (one a day: DISTINCT ON), as named rows: a row per quota per
    # week of the period would be ~360,000 model instances at 10,000 reps.
    latest = {
        row.quota_id: row
        for row in QuotaRetirementLedger.objects.filter(quota_id__in=list(quotas), as_of_date__lte=w.as_of)
        .order_by("quota_id", "-as_of_date")
        .distinct("quota_id")
        .values_list("quota_id", "as_of_date", "closed_amount", "committed_amount", named=True)
    }
    for qid, quota in quotas.items():
        row = latest.get(qid)
        if row is None or not quota.amount:
            continue
        elapsed = (w.as_of - quota.period_start).days + 1
        pace = float(quota.amount) * elapsed / quota.days
        retired = float(row.closed_amount + row.committed_amount)
        days_left = (quota.period_end - w.as_of).days
        put(
            out,
            quota.rep_id,
            "attainment_pace",
            Reading(
                pct(retired, pace),
                1,
                target=100.0,
                evidence={
                    "period": quota.period,
                    "quota": float(quota.amount),
                    "closed": float(row.closed_amount),
                    "committed": float(row.committed_amount),
                    "attainment_pct": pct(retired, float(quota.amount)),
                    "closed_pct": pct(float(row.closed_amount), float(quota.amount)),
                    "weeks_left": round(days_left / 7, 1),
                    "as_of": row.as_of_date.isoformat(),
                },
            ),
        )


def forecast_accuracy(reps: dict[int, Rep], w: Window, out: Readings) -> None:
    """Rep commit vs closed for the latest period that has ended: 100 − |commit − closed| / closed × 100.
    Bias > 0 is an optimistic call, < 0 a sandbag. Also AGT-703's own output (selectors.forecast_accuracy)."""
    for rep_id, reading in accuracy_by_rep(list(reps), w.as_of).items():
        put(out, rep_id, "forecast_accuracy", reading)


def accuracy_by_rep(rep_ids: list[int], as_of: dt.date) -> dict[int, Reading]:
    per_rep: dict[int, Quota] = {}  # ascending: each rep's latest ended period wins
    for q in Quota.objects.filter(rep_id__in=rep_ids, period_end__lt=as_of).order_by("rep_id", "period_end"):
        per_rep[q.rep_id] = q
    last_quota = {q.pk: q for q in per_rep.values()}
    rows = defaultdict(list)
    # Only what was known on as_of: a later ledger row (a credit adjustment) must not leak into a past run.
    for row in QuotaRetirementLedger.objects.filter(quota_id__in=list(last_quota), as_of_date__lte=as_of).values_list(
        "quota_id", "as_of_date", "closed_amount", "rep_commit", named=True
    ):
        rows[row.quota_id].append(row)
    result = {}
    for qid, quota in last_quota.items():
        ledger = sorted(rows[qid], key=lambda r: r.as_of_date)
        if not ledger:
            continue
        call_by = quota.period_end - dt.timedelta(days=COMMIT_LEAD_DAYS)
        calls = [r for r in ledger if r.as_of_date <= call_by and r.rep_commit is not None]
        if not calls:
            continue
        commit = float(calls[-1].rep_commit)
        closed = float(ledger[-1].closed_amount)
        if closed:
            error = abs(commit - closed) / closed * 100
            bias = (commit - closed) / closed * 100
        else:
            error = 0.0 if commit == 0 else 100.0
            bias = 0.0 if commit == 0 else 100.0
        result[quota.rep_id] = Reading(
            round(max(0.0, 100 - error), 2),
            1,
            evidence={
                "period": quota.period,
                "commit": commit,
                "closed": closed,
                "bias_pct": round(bias, 1),
                "called_on": calls[-1].as_of_date.isoformat(),
            },
        )
    return result


def stage_flow(reps: dict[int, Rep], w: Window, out: Readings, min_sample: int) -> None:
    """Conversion by stage pair and days in each stage, from the stage history of the rep's own deals."""
    flows = defaultdict(dict)  # owner → stage → its row of STAGE_FLOW_SQL
    with connection.cursor() as cursor:
        cursor.execute(
            STAGE_FLOW_SQL,
            {
                "ladder": LADDER,
                "open": sorted(OPEN_RUNGS),
                "reps": list(reps),
                "since": w.start_dt(max(CONVERSION_DAYS, VELOCITY_DAYS) + 365),  # entries need earlier history
                "end": w.end_dt,
                "conv": w.start_dt(CONVERSION_DAYS),
                "vel": w.start_dt(VELOCITY_DAYS),
            },
        )
        for owner, stage, *row in cursor.fetchall():
            flows[owner][stage] = row
    for owner in reps:
        stages = flows.get(owner, {})
        for a, b in STAGE_PAIRS:
            entered, advanced, stalled, *_ = stages.get(a, (0, 0, None))
            if entered >= min_sample:
                put(out, owner, pair_code(a, b), Reading(pct(advanced, entered), entered, evidence={"deals": stalled}))
        # Seed 001: "Days per stage vs segment median" — one reading per stage, benchmarked per stage, in the order
        # the owner's deals first spent time in each (the order of the stage history).
        timed = sorted((r[6], stage, r) for stage, r in stages.items() if r[3])
        for _, stage, (_, _, _, spans, mean_s, slowest, _) in timed:
            if spans >= min_sample:
                reading = Reading(round(float(mean_s) / 86400, 1), spans, evidence={"deals": slowest})
                put(out, owner, velocity_code(stage), reading)


# Per (owner, open stage) over the deals' stage history in the window: entries in the conversion window, those
# that later reached a higher rung, the first five that did not (history order); and the spans in the stage
# that ended in the velocity window: count, mean seconds (exact), the five slowest deals, and where the first
# span sits in the history (the readings' order). One statement: the per-deal walk was the largest Python cost
# of the runs (1.1 M changes at 10,000 reps).
STAGE_FLOW_SQL = """
WITH history AS (
    SELECT o.owner_id, sc.opportunity_id, sc.to_stage, sc.changed_at, sc.id, o.name,
           coalesce(array_position(%(ladder)s::text[], sc.to_stage::text), 0) - 1 AS rung,
           lead(sc.changed_at) OVER deal AS next_at,
           coalesce(max(coalesce(array_position(%(ladder)s::text[], sc.to_stage::text), 0) - 1)
                    OVER (deal ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING), -1) AS best_after
    FROM crm_opportunitystagechange sc JOIN crm_opportunity o ON o.id = sc.opportunity_id
    WHERE o.owner_id = ANY(%(reps)s) AND sc.changed_at >= %(since)s AND sc.changed_at < %(end)s
    WINDOW deal AS (PARTITION BY sc.opportunity_id ORDER BY sc.changed_at, sc.id)
)
SELECT owner_id, to_stage,
       count(*) FILTER (WHERE changed_at >= %(conv)s),
       count(*) FILTER (WHERE changed_at >= %(conv)s AND best_after > rung),
       coalesce((array_agg(name ORDER BY opportunity_id, changed_at, id)
                 FILTER (WHERE changed_at >= %(conv)s AND best_after <= rung))[1:5], '{}'),
       count(*) FILTER (WHERE next_at >= %(vel)s),
       avg(extract(epoch FROM next_at - changed_at)) FILTER (WHERE next_at >= %(vel)s),
       (array_agg(name ORDER BY next_at - changed_at DESC, opportunity_id, changed_at, id)
        FILTER (WHERE next_at >= %(vel)s))[1:5],
       min(ARRAY[opportunity_id, (extract(epoch FROM changed_at) * 1000000)::bigint, id])
           FILTER (WHERE next_at >= %(vel)s)
FROM history
WHERE to_stage = ANY(%(open)s)
GROUP BY owner_id, to_stage
"""


def deal_advance(reps: dict[int, Rep], w: Window, out: Readings, min_sample: int) -> None:
    """AGT-405: share of the rep's deal-stage briefs whose stated stage objectives were executed."""
    rows = (
        OpportunityBriefLog.objects.filter(
            opportunity__owner_id__in=list(reps),
            objectives_met__isnull=False,
            logged_at__gte=w.start_dt(ADVANCE_DAYS),
            logged_at__lt=w.end_dt,
        )
        .values("opportunity__owner_id")
        .annotate(n=Count("id"), met=Count("id", filter=Q(objectives_met=True)))
    )
    for r in rows:
        if r["n"] >= min_sample:
            put(out, r["opportunity__owner_id"], "deal_advance", Reading(pct(r["met"], r["n"]), r["n"]))


def quotes(
    reps: dict[int, Rep], w: Window, out: Readings, min_sample: int, *, rep_field: str, expansion_only: bool
) -> None:
    """QuoteLog: discount depth and term-exception rate of the rep's quotes (AM: expansion deals only)."""
    qs = Quote.objects.filter(
        **{f"opportunity__{rep_field}__in": list(reps)}, created_at__gte=w.start_dt(QUOTE_DAYS), created_at__lt=w.end_dt
    )
    if expansion_only:
        qs = qs.filter(opportunity__type=Opportunity.Type.EXPANSION)
    rows = qs.values(f"opportunity__{rep_field}").annotate(
        n=Count("id"), depth=Avg("discount_pct"), exceptions=Count("id", filter=Q(term_exception=True))
    )
    for r in rows:
        if r["n"] < min_sample:
            continue
        rep_id = r[f"opportunity__{rep_field}"]
        put(out, rep_id, "discount_depth", Reading(round(float(r["depth"]), 2), r["n"]))
        put(out, rep_id, "term_exception_rate", Reading(pct(r["exceptions"], r["n"]), r["n"]))


def compute(reps: dict[int, Rep], w: Window, out: Readings, min_sample: int) -> None:
    if not reps:
        return
    attainment(reps, w, out)
    forecast_accuracy(reps, w, out)
    stage_flow(reps, w, out, min_sample)
    deal_advance(reps, w, out, min_sample)
    quotes(reps, w, out, min_sample, rep_field="owner_id", expansion_only=False)
