"""Compare every reading with its benchmark, the same way for every role (pure; no ORM)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import median

from .base import COHORT_Q1, TARGET, TEAM, Metric, Readings, Rep
from .registry import metric as metric_of
from .units import fmt

MIN_PEERS = 2  # a team or segment median needs at least this many reps; else the role cohort's median
MIN_COHORT = 4  # quartiles and percentiles need at least this many reps


def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (p in 0–100)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def rank_percentile(values: list[float], value: float, higher_is_better: bool) -> int:
    """Share of the cohort this value does better than (0–100; ties count half)."""
    return rank_percentile_sorted(sorted(values), value, higher_is_better)


def rank_percentile_sorted(ordered: list[float], value: float, higher_is_better: bool) -> int:
    """``rank_percentile`` on a cohort sorted once (bisect): ranking every rep of a cohort is then
    n log n, not n² (the weekly skill assessment ranks each rep against a cohort of hundreds)."""
    if not ordered:
        return 50
    below, upto = bisect_left(ordered, value), bisect_right(ordered, value)
    worse = below if higher_is_better else len(ordered) - upto
    ties = upto - below - 1
    return round(100 * (worse + max(ties, 0) / 2) / max(len(ordered) - 1, 1)) if len(ordered) > 1 else 50


@dataclass
class Result:
    code: str
    metric: Metric
    value: float
    benchmark: float | None
    sample: int
    breach: bool
    critical: bool  # past the metric's critical bound: a daily flag
    evidence: dict = field(default_factory=dict)
    bound: float | None = None  # the critical bound, in the metric's unit
    bound_rule: str = ""  # how the bound is defined, as the manager reads it

    @property
    def gap(self) -> float | None:
        """Signed distance to the benchmark, positive = worse."""
        if self.benchmark is None:
            return None
        diff = self.benchmark - self.value if self.metric.higher_is_better else self.value - self.benchmark
        return round(diff, 2)


def worse_than(m: Metric, value: float, bound: float, margin: float) -> bool:
    if m.relative:
        margin = abs(bound) * margin
    return value < bound - margin if m.higher_is_better else value > bound + margin


def critical_bound(
    m: Metric, role: str, code: str, rule: tuple[int | None, float | None], cohort_values: list[float], once
) -> tuple[float | None, str]:
    """The bound past which a reading is critical and how it is defined: RevOps' fixed value, else the worst
    ``percentile``% of the role cohort (none below MIN_COHORT reps)."""
    percentile_, fixed = rule
    if fixed is not None:
        side = "below" if m.higher_is_better else "above"
        return fixed, f"{side} {fmt(fixed, m.unit)}, a fixed bound set by RevOps"
    if len(cohort_values) < MIN_COHORT or not percentile_:
        return None, ""
    p = percentile_ if m.higher_is_better else 100 - percentile_
    # Once per cohort (the bound and its words are the same for every rep of the role), not once per reading.
    return once(
        ("bound", p, role, code),
        lambda v: (
            round(percentile(v, p), 2),
            f"worst {percentile_}% of the {role.upper()} cohort: its {p}th percentile across {len(v)} reps",
        ),
        cohort_values,
    )


def evaluate(
    readings: Readings,
    reps: dict[int, Rep],
    *,
    gap_overrides: dict | None = None,
    critical_percentile: int = 10,
    bounds: dict | None = None,
) -> dict[int, dict[str, Result]]:
    """``bounds``: (role, metric family) → (percentile, fixed value), RevOps' CriticalBound rows; a metric
    without a row uses ``critical_percentile``."""
    gap_overrides = gap_overrides or {}
    bounds = bounds or {}
    cohort = defaultdict(list)  # (role, code) → values
    team = defaultdict(list)  # (role, code, manager) → values
    segment = defaultdict(list)  # (role, code, segment) → values
    for rep_id, by_code in readings.items():
        rep = reps[rep_id]
        for code, r in by_code.items():
            cohort[(rep.role, code)].append(r.value)
            team[(rep.role, code, rep.manager_id)].append(r.value)
            segment[(rep.role, code, rep.segment)].append(r.value)
    # Each cohort's quartile, percentile and median computed once, not once per rep: per rep it would sort
    # the whole role cohort for every metric (quadratic in the number of reps).
    memo: dict[tuple, object] = {}

    def once(key: tuple, fn, values: list[float]):
        if key not in memo:
            memo[key] = fn(values)
        return memo[key]

    results: dict[int, dict[str, Result]] = {}
    for rep_id, by_code in readings.items():
        rep = reps[rep_id]
        for code, r in by_code.items():
            m = metric_of(rep.role, code)
            if m is None:
                continue
            peers_all = cohort[(rep.role, code)]
            if m.benchmark == TARGET:
                bench = r.target
            elif m.benchmark == COHORT_Q1:
                bench = (
                    once(("q1", rep.role, code), lambda v: percentile(v, 25), peers_all)
                    if len(peers_all) >= MIN_COHORT
                    else None
                )
            else:
                key = (rep.role, code, rep.manager_id) if m.benchmark == TEAM else (rep.role, code, rep.segment)
                peers = team[key] if m.benchmark == TEAM else segment[key]
                # No manager (or no segment) is not a team (or a segment) of its own: compare with the cohort.
                grouped = rep.manager_id if m.benchmark == TEAM else rep.segment
                if not (grouped and len(peers) >= MIN_PEERS):
                    key, peers = (rep.role, code), peers_all
                bench = once(("median", m.benchmark, *key), median, peers) if len(peers) >= MIN_PEERS else None
            margin = gap_overrides.get(code, gap_overrides.get(m.family, m.gap))
            breach = bench is not None and worse_than(m, r.value, bench, margin)
            rule = bounds.get((rep.role, m.family), (critical_percentile, None))
            bound, bound_rule = critical_bound(m, rep.role, code, rule, peers_all, once)
            # A percentile bound also needs the benchmark gap: the worst 10% of a cohort that is on benchmark is
            # not an exception. A fixed bound is RevOps' own line and stands alone.
            critical = bound is not None and worse_than(m, r.value, bound, 0) and (breach or rule[1] is not None)
            results.setdefault(rep_id, {})[code] = Result(
                code,
                m,
                r.value,
                None if bench is None else round(bench, 2),
                r.sample,
                breach,
                critical,
                r.evidence,
                bound,
                bound_rule,
            )
    return results
