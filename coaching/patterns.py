"""The pattern persistence clock (seed 001 "Escalation flow"), as pure decisions.

A metric gap seen in ``pattern_min_weeks`` consecutive weekly measurements is a pattern: week 1 flags it
and drafts a recommendation for the manager. Each later week the gap holds without measurable improvement
adds a week; at ``escalate_after_weeks`` the SLM gets it automatically — nothing a manager does (approve,
modify, dismiss) touches this clock. Measurable improvement = the metric moved the right way by ≥
``improvement_pct``% vs the prior measurement; it restarts the clock at week 1. A closed gap resolves it."""

from __future__ import annotations

from dataclasses import dataclass

NONE, OPEN, PERSIST, RESET, ESCALATE, RESOLVE = "none", "open", "persist", "reset", "escalate", "resolve"


def improved(prev: float | None, now: float, *, higher_is_better: bool, pct: float) -> bool:
    """The metric moved the right way by ≥ pct% of the prior value (from zero, any move the right way)."""
    if prev is None:
        return False
    delta = (now - prev) if higher_is_better else (prev - now)
    if delta <= 0:
        return False
    if prev == 0:
        return True
    # Rounded so 30 → 33 is exactly 10%, not 9.999…%: the boundary is inclusive.
    return round(delta / abs(prev) * 100, 6) >= pct


@dataclass(frozen=True)
class Episode:
    weeks_persisting: int
    escalated: bool


@dataclass(frozen=True)
class Decision:
    action: str
    weeks_persisting: int = 0


def decide(
    episode: Episode | None,
    *,
    breach: bool,
    streak: int,
    prev: float | None,
    value: float,
    higher_is_better: bool,
    min_weeks: int,
    escalate_after: int,
    improvement_pct: float,
) -> Decision:
    """What this week's measurement does to a rep's pattern. ``streak`` counts consecutive weekly
    breaches including this week."""
    if episode is None:
        if breach and streak >= min_weeks:
            return Decision(OPEN, 1)
        return Decision(NONE)
    if not breach:
        return Decision(RESOLVE, episode.weeks_persisting)
    if improved(prev, value, higher_is_better=higher_is_better, pct=improvement_pct):
        return Decision(RESET, 1)
    weeks = episode.weeks_persisting + 1
    if weeks >= escalate_after and not episode.escalated:
        return Decision(ESCALATE, weeks)
    return Decision(PERSIST, weeks)
