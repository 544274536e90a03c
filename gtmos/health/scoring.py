"""The health score as a pure function of one account's inputs (no ORM, no clock).

Seed 004's composite: engagement 30, adoption 25, satisfaction 25, growth 20, each the mean of its named
measures (0–100). A measure without data is a data gap, never a made-up number: the score is the weighted
mean over the measures that have data, and ``coverage_pct`` says how much of the weight that is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .measures import COMPONENT_CODES, GAP, LIVE, MEASURES, measure_weights

TIERS = ("low", "medium", "high", "critical")
AT_RISK = ("high", "critical")

# Expansion outcome → points; the best outcome in the growth window counts (a won play beats an open one).
EXPANSION_POINTS = {"won": 100, "open": 75, "lost": 40, "suppressed": 20, "stale": 30}


@dataclass(frozen=True)
class ScoringConfig:
    weights: dict[str, int]
    tier_low_min: int = 75
    tier_medium_min: int = 50
    tier_high_min: int = 25
    growing_from_day: int = 90
    established_from_day: int = 180
    login_days_target: int = 20
    feature_breadth_target: int = 5
    seat_utilization_target_pct: int = 80
    usage_trend_floor_pct: int = 50
    usage_trend_full_pct: int = 110
    recency_full_days: int = 14
    recency_zero_days: int = 90
    exec_full_days: int = 30
    exec_zero_days: int = 120
    ticket_penalties: dict[str, int] = field(default_factory=dict)
    advocacy_target: int = 2
    adoption_threshold_pct: int = 60  # seed 000's M6 threshold, read from the onboarding settings

    @classmethod
    def from_settings(cls, s, *, adoption_threshold_pct: int = 60) -> ScoringConfig:
        names = [f for f in cls.__dataclass_fields__ if f not in ("weights", "adoption_threshold_pct")]
        return cls(
            weights=s.weights, adoption_threshold_pct=adoption_threshold_pct, **{n: getattr(s, n) for n in names}
        )


@dataclass(frozen=True)
class Milestone:
    done: bool
    target_date: dt.date | None = None

    def state(self, today: dt.date) -> str:
        if self.done:
            return "done"
        return "due" if self.target_date is None or self.target_date >= today else "overdue"


@dataclass
class AccountInputs:
    """Everything the score reads for one account as of ``today`` (the selector fills it set-based)."""

    today: dt.date
    contract_start: dt.date | None = None
    contracted_seats: int = 0
    contracted_units: int = 0
    in_onboarding: bool = False
    # Usage feed
    usage_rows_30: int = 0
    usage_rows_prev_30: int = 0
    login_days_30: int = 0
    logins_30: int = 0
    logins_prev_30: int = 0
    units_30: int = 0
    units_prev_30: int = 0
    seats_avg_7: float | None = None
    units_avg_7: float | None = None
    features_30: int = 0
    has_events: bool = False
    # Contacts, activity, QBRs
    has_contacts: bool = False
    has_exec_sponsor: bool = False
    exec_last_engaged: dt.date | None = None
    last_touch: dt.date | None = None
    # Surveys, tickets
    nps: int | None = None
    csat: int | None = None
    has_tickets: bool = False
    tickets: dict[str, int] = field(default_factory=dict)
    # Growth
    expansion: str | None = None  # best outcome in the window, "stale" when plays exist only before it
    advocacy_count: int = 0
    has_advocacy: bool = False
    # Onboarding (OnboardingLog and the plan's milestones)
    milestones: dict[str, Milestone] = field(default_factory=dict)
    last_csm_activity: dt.date | None = None
    last_exec_touch: dt.date | None = None


@dataclass
class HealthResult:
    score: int
    tier: str
    tenure_segment: str
    lifecycle_segment: str
    coverage_pct: int
    in_onboarding: bool
    measures: dict[str, int | None]
    inputs: dict[str, object]
    components: dict[str, dict]
    data_gaps: list[str]


def _clamp(value: float) -> int:
    # Comparisons instead of max/min/int: the daily run calls this ~20 times per account. Same values as
    # int(round(max(0.0, min(100.0, value)))), NaN included (min(100.0, nan) is 100.0).
    if not value < 100:
        return 100
    if value <= 0:
        return 0
    return round(value)


def _share(value: float, target: float) -> int:
    return _clamp(100 * value / target) if target > 0 else 0


def _decay(days: int, full: int, zero: int) -> int:
    """100 within ``full`` days, 0 at ``zero`` days or more, linear between."""
    if days <= full:
        return 100
    return _clamp(100 * (zero - days) / (zero - full))


def tier_for(score: int, c: ScoringConfig) -> str:
    if score >= c.tier_low_min:
        return "low"
    if score >= c.tier_medium_min:
        return "medium"
    if score >= c.tier_high_min:
        return "high"
    return "critical"


def tenure_segment(contract_start: dt.date | None, today: dt.date, c: ScoringConfig) -> str:
    """New 0–90 days, Growing 90–180, Established 180+ (day 90 is Growing, day 180 Established)."""
    days = (today - contract_start).days if contract_start else 0
    if days < c.growing_from_day:
        return "new"
    if days < c.established_from_day:
        return "growing"
    return "established"


# --- live measures: each returns (score or None, raw value or gap reason) -----------------------------


def _login_frequency(i: AccountInputs, c: ScoringConfig):
    if not i.usage_rows_30:
        return None, "no_usage_30"
    return _share(i.login_days_30, c.login_days_target), i.login_days_30


def _exec_sponsor(i: AccountInputs, c: ScoringConfig):
    if not i.has_contacts:
        return None, "no_contacts"
    if not i.has_exec_sponsor:
        return 0, "none"  # knowing there is no sponsor is a finding, not a gap
    if i.exec_last_engaged is None:
        return 0, "never"
    days = (i.today - i.exec_last_engaged).days
    return _decay(days, c.exec_full_days, c.exec_zero_days), days


def _recency(i: AccountInputs, c: ScoringConfig, last: dt.date | None, *, touched: str, untouched: str):
    """Days since the last touch; with none logged, days since the relationship started (a fact, not a gap)."""
    if last is not None:
        days = (i.today - last).days
        return _decay(days, c.recency_full_days, c.recency_zero_days), [days, touched]
    if i.contract_start is not None:
        days = max(0, (i.today - i.contract_start).days)
        return _decay(days, c.recency_full_days, c.recency_zero_days), [days, untouched]
    return None, "no_touch"


def _engagement_recency(i: AccountInputs, c: ScoringConfig):
    return _recency(i, c, i.last_touch, touched="touch", untouched="contract")


def _feature_activation(i: AccountInputs, c: ScoringConfig):
    if not i.has_events:
        return None, "no_events"
    return _share(i.features_30, c.feature_breadth_target), i.features_30


def _usage_trend(i: AccountInputs, c: ScoringConfig):
    if not i.usage_rows_prev_30:
        return None, "no_history"
    # Consumption where the contract is metered in units, logins otherwise.
    now, before = (i.units_30, i.units_prev_30) if i.units_prev_30 else (i.logins_30, i.logins_prev_30)
    if before == 0:
        return (100 if now else 0), (100 if now else 0)
    pct = 100 * now / before
    span = c.usage_trend_full_pct - c.usage_trend_floor_pct
    return _clamp(100 * (pct - c.usage_trend_floor_pct) / span), int(round(pct))


def _seat_utilization(i: AccountInputs, c: ScoringConfig):
    if not i.contracted_seats:
        return None, "no_seats"
    if i.seats_avg_7 is None:
        return None, "no_usage_7"
    pct = 100 * i.seats_avg_7 / i.contracted_seats
    return _share(pct, c.seat_utilization_target_pct), int(round(pct))


def _nps(i: AccountInputs, c: ScoringConfig):
    return (None, "no_nps") if i.nps is None else (_clamp(i.nps * 10), i.nps)


def _csat(i: AccountInputs, c: ScoringConfig):
    return (None, "no_csat") if i.csat is None else (_clamp((i.csat - 1) * 25), i.csat)


def _support_tickets(i: AccountInputs, c: ScoringConfig):
    if not i.has_tickets:
        return None, "no_tickets"
    penalty = sum(c.ticket_penalties.get(p, 0) * n for p, n in i.tickets.items())
    return _clamp(100 - penalty), {p: n for p, n in i.tickets.items() if n}


def _expansion(i: AccountInputs, c: ScoringConfig):
    if i.expansion is None:
        return None, "no_plays"
    return EXPANSION_POINTS[i.expansion], i.expansion


def _advocacy(i: AccountInputs, c: ScoringConfig):
    if not i.has_advocacy:
        return None, "no_advocacy"
    return _share(i.advocacy_count, c.advocacy_target), i.advocacy_count


LIVE_SCORERS = {
    "login_frequency": _login_frequency,
    "exec_sponsor": _exec_sponsor,
    "engagement_recency": _engagement_recency,
    "feature_activation": _feature_activation,
    "usage_trend": _usage_trend,
    "seat_utilization": _seat_utilization,
    "nps": _nps,
    "csat": _csat,
    "support_tickets": _support_tickets,
    "expansion": _expansion,
    "advocacy": _advocacy,
}


# --- seed 000's onboarding substitutes (from OnboardingLog and the plan's milestones) ------------------


def _sub_exec_sponsor(i: AccountInputs, c: ScoringConfig):
    """M5 status + CSM engagement log: briefed is full marks; otherwise exec touchpoints logged by the CSM."""
    m5 = i.milestones.get("M5")
    if m5 is not None and m5.done:
        return 100, {"M5": "done"}
    if i.last_exec_touch is not None:
        days = (i.today - i.last_exec_touch).days
        # An exec touchpoint without the M5 briefing counts for at most 80.
        return min(80, _decay(days, c.exec_full_days, c.exec_zero_days)), {"M5": _state(m5, i), "touch": days}
    if m5 is None:
        return None, "no_milestone"
    return (50 if m5.state(i.today) == "due" else 0), {"M5": m5.state(i.today)}


def _sub_engagement_recency(i: AccountInputs, c: ScoringConfig):
    """CSM milestone activity timestamps: days since the CSM last logged activity or a milestone."""
    return _recency(i, c, i.last_csm_activity, touched="onboarding_log", untouched="kickoff")


def _sub_usage_trend(i: AccountInputs, c: ScoringConfig):
    """M1 + M4 progress as the usage proxy: 50 points each when done, 25 while not yet due, 0 overdue."""
    states = {code: i.milestones[code].state(i.today) for code in ("M1", "M4") if code in i.milestones}
    if not states:
        return None, "no_milestone"
    points = {"done": 50, "due": 25, "overdue": 0}
    return _clamp(sum(points[s] for s in states.values()) * 2 / len(states)), states


def _sub_seat_utilization(i: AccountInputs, c: ScoringConfig):
    """M6 progress: share of the adoption threshold (seats or units) reached, 100 once M6 is done."""
    m6 = i.milestones.get("M6")
    if m6 is None:
        return None, "no_milestone"
    if m6.done:
        return 100, {"M6": "done"}
    ratios = []
    if i.contracted_seats:
        ratios.append((i.seats_avg_7 or 0) / (i.contracted_seats * c.adoption_threshold_pct / 100))
    if i.contracted_units:
        ratios.append((i.units_avg_7 or 0) / (i.contracted_units * c.adoption_threshold_pct / 100))
    if not ratios:
        return None, "no_seats"
    progress = min(99, _clamp(100 * max(ratios)))  # 100 is reserved for M6 itself
    return progress, {"M6": m6.state(i.today), "progress": progress}


def _state(m: Milestone | None, i: AccountInputs) -> str:
    return m.state(i.today) if m is not None else "absent"


SUBSTITUTES = {
    "exec_sponsor": _sub_exec_sponsor,
    "engagement_recency": _sub_engagement_recency,
    "usage_trend": _sub_usage_trend,
    "seat_utilization": _sub_seat_utilization,
}


# Seed 000: during onboarding a substitute stands in only "for dimensions where live data doesn't exist yet".
# Live data exists when the live source has an observation of its own (not a fallback such as days since the
# contract start, or a sponsor never engaged).
LIVE_DATA_EXISTS = {
    "exec_sponsor": lambda i: i.exec_last_engaged is not None,
    "engagement_recency": lambda i: i.last_touch is not None,
    "usage_trend": lambda i: i.usage_rows_prev_30 > 0,
    "seat_utilization": lambda i: bool(i.contracted_seats) and i.seats_avg_7 is not None,
}
LIVE_IN_ONBOARDING = "live_in_onboarding"  # inputs key: substitutable measures scored from live data


# Not in onboarding (most accounts): every measure from its live scorer, in MEASURES order.
_LIVE_PLAN = tuple((m.code, LIVE_SCORERS[m.code]) for m in MEASURES)


def _weights(c: ScoringConfig) -> tuple[dict[str, float], tuple]:
    """The config's measure weights, and per component its (code, weight) pairs; computed once per config
    (the daily run scores a million accounts with one)."""
    cached = c.__dict__.get("_weights_cache")
    if cached is None:
        weights = measure_weights(c.weights)
        per_component = tuple(
            (comp, tuple((code, weights[code]) for code in codes)) for comp, codes in COMPONENT_CODES.items()
        )
        cached = (weights, per_component)
        object.__setattr__(c, "_weights_cache", cached)  # frozen dataclass: a cache, not a field
    return cached


def score_account(i: AccountInputs, c: ScoringConfig) -> HealthResult:
    measures: dict[str, int | None] = {}
    raw: dict[str, object] = {}
    if not i.in_onboarding:
        for code, scorer in _LIVE_PLAN:
            measures[code], raw[code] = scorer(i, c)
    else:
        live_in_onboarding = []
        for m in MEASURES:
            if m.onboarding == GAP:
                measures[m.code], raw[m.code] = None, "onboarding"
                continue
            substitute = m.onboarding != LIVE
            if substitute and LIVE_DATA_EXISTS[m.code](i):
                substitute = False
                live_in_onboarding.append(m.code)
            scorer = SUBSTITUTES[m.code] if substitute else LIVE_SCORERS[m.code]
            measures[m.code], raw[m.code] = scorer(i, c)
        if live_in_onboarding:
            raw[LIVE_IN_ONBOARDING] = live_in_onboarding

    weights, per_component = _weights(c)
    covered = total = 0.0
    for code, s in measures.items():
        if s is not None:
            w = weights[code]
            covered += w
            total += w * s
    # No data at all is the blind spot a CSM must fix first: it scores 0 (Critical) with 0% coverage.
    score = _clamp(total / covered) if covered else 0
    components = {}
    for comp, pairs in per_component:
        w = points = 0.0
        for code, weight in pairs:
            s = measures[code]
            if s is not None:
                w += weight
                points += weight * s
        components[comp] = {
            "score": _clamp(points / w) if w else None,
            "points": round(points / covered, 1) if covered else 0.0,
        }
    tier = tier_for(score, c)
    tenure = tenure_segment(i.contract_start, i.today, c)
    return HealthResult(
        score=score,
        tier=tier,
        tenure_segment=tenure,
        lifecycle_segment="at_risk" if tier in AT_RISK else tenure,
        coverage_pct=_clamp(covered),
        in_onboarding=i.in_onboarding,
        measures=measures,
        inputs=raw,
        components=components,
        data_gaps=[code for code, s in measures.items() if s is None],
    )


def drivers(
    *,
    measures: dict,
    previous: dict,
    weights: dict[str, int],
    was_onboarding: bool | None,
    in_onboarding: bool,
    inputs: dict | None = None,
    limit: int = 3,
) -> list[dict]:
    """The measures that moved the score most since the previous record, largest first.

    The change is in score points: the measure's weight times its change, over the weight backed by data
    today (the score is a mean over covered weight, so that is what a measure's move is worth). A measure
    that became (or stopped being) a gap is listed as such; each driver keeps the raw value it saw that day.
    Leaving onboarding mode is named, since proxies give way to live data.
    """
    w = measure_weights(weights)
    covered = sum(w[code] for code, s in measures.items() if s is not None) or 1
    moved = []
    for code, now in measures.items():
        before = previous.get(code)
        if now == before:
            continue
        raw = (inputs or {}).get(code)
        if now is None or before is None:
            moved.append(
                {
                    "measure": code,
                    "from": before,
                    "to": now,
                    "points": None,
                    "raw": raw,
                    "kind": "gap" if now is None else "measured",
                }
            )
        else:
            moved.append(
                {
                    "measure": code,
                    "from": before,
                    "to": now,
                    "raw": raw,
                    "points": round(w[code] * (now - before) / covered, 1),
                    "kind": "change",
                }
            )
    moved.sort(key=lambda d: -abs(d["points"] or 0))
    result = moved[:limit]
    if was_onboarding and not in_onboarding:
        result.insert(0, {"measure": "onboarding", "from": None, "to": None, "points": None, "kind": "left_onboarding"})
    return result
