"""AGT-701's metrics: read every role's sources for many reps at once, then benchmark them.

``measure(reps, as_of)`` costs a fixed number of queries whatever the number of reps (each source is
read once, grouped by rep) and returns, per rep, a Result per metric with its benchmark and whether it is
a gap (``breach``) or past the critical bound (``critical``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import Future, wait

from django.db.models import Count, Q

from gtmos.core import clock
from gtmos.crm.models import Employee, RepActivity, Role

from ..models import CriticalBound, DailyFlag
from . import ae, am, csm, sdr
from .base import Reading, Readings, Rep, Window, put
from .benchmarks import Result, evaluate
from .calls import add_call_metrics, call_stats

CALL_CODES = {
    Role.AE: ("call_quality", "objection_handling", "product_knowledge", "next_step_rate"),
    Role.AM: ("call_quality", "objection_handling", "product_knowledge"),
    Role.CSM: ("call_quality", "objection_handling", "product_knowledge", "talk_ratio", "next_step_rate"),
    Role.SDR: ("call_quality", "objection_handling", "talk_ratio", "discovery_questions"),
}
ROLES = (Role.AE, Role.AM, Role.CSM, Role.SDR)
ROLE_PERIOD_DAYS = 30  # CoachingSettings.role_period_days' default: the trailing window the call metrics read


def reps_of(queryset=None, *, as_of: dt.date | None = None, period_days: int = ROLE_PERIOD_DAYS) -> dict[int, Rep]:
    """Active reps of the four coached roles, each with the role they held in the measured period (seed 001:
    "Role is determined by RepActivity.role at runtime"): the role of their latest RepActivity in the
    ``period_days`` ending on ``as_of``, else Employee.role. Two queries whatever the number of reps."""
    as_of = as_of or clock.today()
    qs = queryset if queryset is not None else Employee.objects.all()
    since = as_of - dt.timedelta(days=period_days - 1)
    # DISTINCT ON (PostgreSQL): each rep's latest activity in the period, whatever its role.
    held = dict(
        RepActivity.objects.filter(
            rep__in=qs.filter(is_active=True), activity_date__gte=since, activity_date__lte=as_of
        )
        .order_by("rep_id", "-activity_date", "-id")
        .distinct("rep_id")
        .values_list("rep_id", "role")
    )
    rows = (
        qs.filter(is_active=True)
        .filter(Q(role__in=ROLES) | Q(pk__in=list(held)))
        .values_list("id", "name", "role", "segment", "manager_id", "slm_id")
    )
    reps = {}
    for pk, name, role, segment, manager_id, slm_id in rows:
        role = held.get(pk, role)
        if role in ROLES:
            reps[pk] = Rep(pk, name, role, segment, manager_id, slm_id)
    return reps


# Runs a reading part on a second connection in the run's snapshot, returning its future (services.batch).
Beside = Callable[[Callable[[], Readings]], Future]


def read(reps: dict[int, Rep], as_of: dt.date, settings, *, beside: Beside | None = None) -> Readings:
    """Every rep's readings. With ``beside``, the SDR and CSM parts (the largest reads: CadenceEventLog, the
    health log, the calls' sentiment) run on a second connection while this thread computes the others; the
    parts are merged in one fixed order either way, so the readings (and their order) are the same."""
    w = Window(as_of)
    by_role = {role: {i: r for i, r in reps.items() if r.role == role} for role in ROLES}
    n = settings.min_sample

    def part(fn) -> Callable[[], Readings]:
        def run() -> Readings:
            out: Readings = {}
            fn(out)
            return out

        return run

    here = {
        "ae": part(lambda out: ae.compute(by_role[Role.AE], w, out, n)),
        "am": part(lambda out: am.compute(by_role[Role.AM], w, out, n, settings)),
        "calls": part(lambda out: add_call_metrics(out, reps, call_stats(reps, w), CALL_CODES, n)),
        "flags": part(lambda out: daily_flags(reps, w, out, settings)),
    }
    away = {
        "csm": part(lambda out: csm.compute(by_role[Role.CSM], w, out, n, settings)),
        "sdr": part(lambda out: sdr.compute(by_role[Role.SDR], w, out, n, settings)),
    }
    if beside is None:
        parts = {name: run() for name, run in {**here, **away}.items()}
    else:
        future = beside(lambda: {name: run() for name, run in away.items()})
        try:
            parts = {name: run() for name, run in here.items()}
        finally:
            wait([future])  # the helper's transaction ends before this run's can
        parts.update(future.result())
    out: Readings = {}
    for name in ORDER:
        for rep_id, codes in parts[name].items():
            out.setdefault(rep_id, {}).update(codes)
    return out


# The order the parts' readings are merged in: each role's reps (the roles are disjoint), then the call metrics
# and the flag count for every rep — the order one sequential pass would put them in.
ORDER = ("ae", "am", "csm", "sdr", "calls", "flags")


def daily_flags(reps: dict[int, Rep], w: Window, out: Readings, settings) -> None:
    """Flags in the trailing 14 days, for every rep (zero included, so the pattern can close): three or
    more is the repeated-flags pattern the weekly clock escalates (seed 001: "If daily flags are firing
    repeatedly for the same rep, the escalation path activates")."""
    since = w.as_of - dt.timedelta(days=settings.repeat_flags_days - 1)
    counts = dict(
        DailyFlag.objects.filter(rep_id__in=list(reps), day__gte=since, day__lte=w.as_of)
        .values("rep_id")
        .annotate(n=Count("id"))
        .values_list("rep_id", "n")
    )
    for rep_id in reps:
        put(out, rep_id, "daily_flags", Reading(counts.get(rep_id, 0), target=settings.repeat_flags - 1))


def measure(
    reps: dict[int, Rep], as_of: dt.date, settings, *, beside: Beside | None = None
) -> dict[int, dict[str, Result]]:
    return evaluate(
        read(reps, as_of, settings, beside=beside),
        reps,
        gap_overrides=settings.gap_overrides,
        critical_percentile=settings.critical_percentile,
        bounds=CriticalBound.as_rules(),
    )


__all__ = ["Rep", "Result", "measure", "read", "reps_of"]
