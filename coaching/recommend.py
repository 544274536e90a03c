"""Drafting a pattern's diagnosis and recommended action from the enablement playbook (CoachingPlay).

The action template is filled from the pattern's own data — which deals, which calls, which step of which
cadence — so what the manager approves is specific, not generic advice."""

from __future__ import annotations

from collections import defaultdict

from .metrics.benchmarks import Result
from .metrics.registry import label
from .metrics.units import fmt

BENCH_WORDS = {
    "segment": "segment benchmark",
    "team": "team median",
    "cohort_q1": "role cohort's bottom quartile",
    "target": "target",
}


def evidence_text(result: Result) -> str:
    e = result.evidence or {}
    parts = []
    if e.get("deals"):
        parts.append("deals: " + ", ".join(e["deals"]))
    if e.get("calls"):
        parts.append("calls: " + ", ".join(e["calls"]))
    if e.get("accounts"):
        parts.append("accounts: " + ", ".join(e["accounts"]))
    if e.get("step"):
        parts.append(f"step {e['step']} of {e.get('cadence', 'the cadence')}")
    if e.get("worst_cohort"):
        parts.append(f"weakest cohort {e['worst_cohort']} ({e['worst_cohort_gap']:+g} pts vs its median)")
    if "per_week" in e:
        parts.append(f"{e['per_week']:g} touches/week against {e['expected']} expected ({e['plan']})")
    if "attainment_pct" in e:
        parts.append(
            f"{e['attainment_pct']:g}% of {e['period']} quota closed + committed, {e['weeks_left']:g} weeks left"
        )
    if "bias_pct" in e:
        parts.append(f"{e['period']}: called {e['commit']:,.0f}, closed {e['closed']:,.0f} ({e['bias_pct']:+g}%)")
    return "; ".join(parts)


def diagnosis(rep_name: str, role: str, result: Result, weeks: int) -> str:
    m = result.metric
    bench = BENCH_WORDS.get(m.benchmark, m.benchmark)
    span = f"for {weeks} consecutive weeks" if weeks > 1 else "this week"
    gap_unit = "pts" if m.unit == "%" else m.unit  # a gap between two rates is in points (seed: "18pts below")
    return (
        f"{label(role, result.code)}: {fmt(result.value, m.unit)} against the {bench} of "
        f"{fmt(result.benchmark, m.unit)} ({fmt(abs(result.gap or 0), gap_unit)} "
        f"{'below' if m.higher_is_better else 'above'}) {span}."
    )


def action(rep_name: str, role: str, result: Result, weeks: int, plays: dict) -> str:
    """Fill the play for (role, metric code) or (role, family); without a play, a data-backed default."""
    play = plays.get((role, result.code)) or plays.get((role, result.metric.family))
    e = result.evidence or {}
    values = defaultdict(
        str,
        {
            "rep": rep_name,
            "metric": label(role, result.code),
            "value": fmt(result.value, result.metric.unit),
            "benchmark": fmt(result.benchmark, result.metric.unit),
            "gap": fmt(abs(result.gap or 0), result.metric.unit),
            "weeks": weeks,
            "evidence": evidence_text(result),
            "deals": ", ".join(e.get("deals", [])) or "the deals in the pattern",
            "calls": ", ".join(e.get("calls", [])) or "recent calls",
            "accounts": ", ".join(e.get("accounts", [])) or "the falling accounts",
            "step": e.get("step", ""),
            "cadence": e.get("cadence", ""),
        },
    )
    if play is not None:
        return play.format_map(values)
    detail = values["evidence"]
    return f"Review {values['metric'].lower()} with {rep_name} in the next 1:1" + (
        f" — start with {detail}." if detail else "."
    )


# A threshold row without its own play falls back to the play of the metric behind it, then to this.
ROW_FALLBACK = {"quality_bottom_quartile": "call_quality"}
ROW_DEFAULT = (
    "Review {metric} with {rep} in the next 1:1: {value} against the bound of {bound}. Agree one change "
    "and check it at the next weekly measurement."
)


def row_action(role: str, condition: str, plays: dict, values: dict) -> str:
    """The action for an escalation-threshold row's daily flag, from the playbook: (role, row), else the
    play of the metric behind the row, else a default that still names the value and the bound."""
    play = plays.get((role, condition)) or plays.get((role, ROW_FALLBACK.get(condition, "")))
    filled = defaultdict(str, {"calls": "recent calls", "accounts": "the accounts that dropped", **values})
    return (play or ROW_DEFAULT).format_map(filled)
