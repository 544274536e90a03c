"""SDR config (seed 001 "Metric inputs by role · SDR"), all from CadenceEventLog: meeting acceptance,
sequence performance by cadence type, response rate by step, conversion to an AE-qualified opportunity,
outreach volume vs the comp plan's activity expectations, AGT-303 cadence flags."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q

from gtmos.comp.models import CompPlan
from gtmos.crm.models import CadenceEventLog, CadenceType

from .base import Reading, Readings, Rep, Window, pct, put

RATE_DAYS = 30
FUNNEL_DAYS = 90
VOLUME_WEEKS = 4
STEP_SAMPLE = 4  # step and cadence-type rates need this many times the minimum sample (they are thin)
# Per-SDR counts, summed over the per-sequence-step rows of the one grouped read.
SDR_TOTALS = ("sent", "booked", "responded", "accepted", "flagged", "booked_90", "converted_90", "sent_4w")


def applicable_plans(reps: dict[int, Rep], as_of: dt.date) -> dict[int, CompPlan]:
    """The plan that applies to each rep: their own, else their role-and-segment plan, else their role plan."""
    plans = list(
        CompPlan.objects.filter(period_start__lte=as_of, period_end__gte=as_of).filter(
            Q(employee_id__in=list(reps)) | Q(employee__isnull=True)
        )
    )
    own = {p.employee_id: p for p in plans if p.employee_id}
    by_role = {(p.role, p.segment): p for p in plans if not p.employee_id}
    result = {}
    for rep in reps.values():
        plan = own.get(rep.id) or by_role.get((rep.role, rep.segment)) or by_role.get((rep.role, ""))
        if plan is not None:
            result[rep.id] = plan
    return result


def compute(reps: dict[int, Rep], w: Window, out: Readings, min_sample: int, settings) -> None:
    if not reps:
        return
    ids = list(reps)
    sent_4w: dict[int, int] = {}
    recent = Q(occurred_at__gte=w.start_dt(RATE_DAYS), occurred_at__lt=w.end_dt)
    volume = Q(occurred_at__gte=w.start_dt(VOLUME_WEEKS * 7), occurred_at__lt=w.end_dt)
    # One scan of the 90-day window serves the SDR's rates (summed over the rows) and the per-sequence step
    # rates below: CadenceEventLog is the largest table the coaching runs read, and a second scan of it was
    # a third of each run's database time at 2,000 reps.
    totals: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_type = defaultdict(lambda: [0, 0, 0])  # touches, responses, meetings booked
    # A step's rate pools every sequence of that cadence type (rows come per sequence name, for the evidence):
    # per name, two sequences sharing a step each fell short of the sample or overwrote each other's reading.
    by_step = defaultdict(lambda: [0, 0, {}])
    for r in (
        CadenceEventLog.objects.filter(
            sdr_id__in=ids, occurred_at__gte=w.start_dt(FUNNEL_DAYS), occurred_at__lt=w.end_dt
        )
        .values("sdr_id", "cadence_type", "step", "cadence_name")
        .annotate(
            n=Count("id"),
            responded_90=Count("id", filter=Q(responded=True)),
            sent=Count("id", filter=recent),
            booked=Count("id", filter=recent & Q(meeting_booked=True)),
            responded=Count("id", filter=recent & Q(responded=True)),
            accepted=Count("id", filter=recent & Q(meeting_accepted=True)),
            flagged=Count("id", filter=recent & ~Q(risk_flags=[])),
            booked_90=Count("id", filter=Q(meeting_booked=True)),
            converted_90=Count("id", filter=Q(opportunity__isnull=False)),
            sent_4w=Count("id", filter=volume),
        )
        # In the group keys' order, whether the planner sorts or hashes (it hashes given the run's work_mem,
        # services.batch): the readings' order decides the order new patterns are written in.
        .order_by("sdr_id", "cadence_type", "step", "cadence_name")
    ):
        sums = totals[r["sdr_id"]]
        for key in SDR_TOTALS:
            sums[key] += r[key]
        for t in (by_type[(r["sdr_id"], r["cadence_type"])], by_step[(r["sdr_id"], r["cadence_type"], r["step"])]):
            t[0] += r["n"]
            t[1] += r["responded_90"]
        by_type[(r["sdr_id"], r["cadence_type"])][2] += r["booked_90"]
        names = by_step[(r["sdr_id"], r["cadence_type"], r["step"])][2]
        names[r["cadence_name"] or r["cadence_type"]] = r["n"]
    for rep, r in totals.items():
        if r["sent"] >= min_sample:
            put(out, rep, "meeting_acceptance", Reading(pct(r["booked"], r["sent"]), r["sent"]))
            put(out, rep, "cadence_flags", Reading(pct(r["flagged"], r["sent"]), r["sent"]))
        if r["responded"] >= min_sample:
            put(out, rep, "response_to_meeting", Reading(pct(r["booked"], r["responded"]), r["responded"]))
        if r["booked"] >= min_sample:
            put(out, rep, "meeting_accepted_rate", Reading(pct(r["accepted"], r["booked"]), r["booked"]))
        if r["booked_90"] >= min_sample:
            put(out, rep, "opp_conversion", Reading(pct(r["converted_90"], r["booked_90"]), r["booked_90"]))
        sent_4w[rep] = r["sent_4w"]
    for rep_id, plan in applicable_plans(reps, w.as_of).items():
        if not plan.touches_per_week:
            continue
        sent = sent_4w.get(rep_id, 0)
        per_week = sent / VOLUME_WEEKS
        put(
            out,
            rep_id,
            "outreach_volume",
            Reading(
                pct(per_week, plan.touches_per_week),
                sent,
                target=100.0,
                evidence={"per_week": round(per_week, 1), "expected": plan.touches_per_week, "plan": plan.period},
            ),
        )
    for (rep_id, ctype, step), (n, responded, names) in by_step.items():
        if n >= min_sample * STEP_SAMPLE:
            put(
                out,
                rep_id,
                f"step_response:{ctype}:{step}",
                Reading(
                    pct(responded, n),
                    n,
                    evidence={
                        "step": step,
                        "cadence": max(sorted(names), key=names.get),  # the busiest sequence
                        "cadence_type": CadenceType(ctype).label,
                    },
                ),
            )
    # Seed 001: "Response and acceptance rates by cadence type"; acceptance is meetings booked / touches sent,
    # as the SDR's headline meeting acceptance.
    for (rep_id, ctype), (n, responded, booked) in by_type.items():
        if n >= min_sample * STEP_SAMPLE:
            put(out, rep_id, f"sequence_response:{ctype}", Reading(pct(responded, n), n))
            put(out, rep_id, f"sequence_acceptance:{ctype}", Reading(pct(booked, n), n))
