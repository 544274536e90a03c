"""The named measures behind seed 004's four components, and seed 000's onboarding substitutes.

Pure data: which component each measure feeds, where its live data comes from, and what OnboardingLog
signal stands in for it while onboarding_status = 'active' (seed 000, "Dimension substitution during
onboarding"). ``GAP`` marks a dimension with no proxy: it stays a data gap during onboarding.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

COMPONENTS = ("engagement", "adoption", "satisfaction", "growth")
COMPONENT_LABELS = {
    "engagement": "Engagement",
    "adoption": "Adoption",
    "satisfaction": "Satisfaction",
    "growth": "Growth",
}
GAP = "gap"
LIVE = "live"


@dataclass(frozen=True)
class Measure:
    code: str
    component: str
    label: str
    source: str
    onboarding: str = LIVE  # LIVE: live data also during onboarding; GAP: no proxy; else the substitute


MEASURES: tuple[Measure, ...] = (
    Measure("login_frequency", "engagement", "Login frequency", "Usage feed: days with logins in the last 30"),
    Measure(
        "exec_sponsor",
        "engagement",
        "Exec sponsor engagement",
        "Contacts: exec sponsor engagement recency",
        onboarding="M5 (exec sponsor briefed) status + CSM engagement log",
    ),
    Measure(
        "engagement_recency",
        "engagement",
        "QBR / engagement recency",
        "Rep activity logs and completed QBRs",
        onboarding="CSM milestone activity timestamps from OnboardingLog",
    ),
    Measure("feature_activation", "adoption", "Feature activation", "Usage feed: distinct features used in 30 days"),
    Measure(
        "usage_trend",
        "adoption",
        "Product usage trend",
        "Usage feed: last 30 days against the 30 before",
        onboarding="Technical setup (M1) + first value event (M4) progress",
    ),
    Measure(
        "seat_utilization",
        "adoption",
        "Seat utilization",
        "Usage feed: active seats against contracted",
        onboarding="Adoption threshold (M6) progress",
    ),
    Measure("nps", "satisfaction", "NPS", "Survey data", onboarding=GAP),
    Measure("csat", "satisfaction", "CSAT", "Survey data", onboarding=GAP),
    Measure("support_tickets", "satisfaction", "Support tickets", "Support desk: tickets opened, by priority"),
    # DESIGN: growth has no onboarding substitute; during onboarding it is a data gap, like NPS/CSAT.
    Measure("expansion", "growth", "Expansion", "ExpansionLog plays", onboarding=GAP),
    Measure("advocacy", "growth", "Referrals & advocacy", "Advocacy records", onboarding=GAP),
)
BY_CODE = {m.code: m for m in MEASURES}


def measures_of(component: str) -> tuple[Measure, ...]:
    return tuple(m for m in MEASURES if m.component == component)


COMPONENT_CODES = {c: tuple(m.code for m in MEASURES if m.component == c) for c in COMPONENTS}


def measure_weights(component_weights: dict[str, int]) -> dict[str, float]:
    """Each component's weight shared equally by its measures: the points a measure is worth out of 100."""
    return dict(_measure_weights(tuple(sorted(component_weights.items()))))


@lru_cache(maxsize=16)
def _measure_weights(items: tuple) -> tuple:
    # Cached: the daily run asks once per account, with the same weights every time.
    weights = dict(items)
    return tuple((m.code, weights[m.component] / len(COMPONENT_CODES[m.component])) for m in MEASURES)


# Why a measure is a gap, by the reason code the scorer stores in ``inputs``.
GAP_REASONS = {
    "no_usage_30": "no usage-feed rows in the last 30 days",
    "no_usage_7": "no usage-feed rows in the last 7 days",
    "no_history": "under 60 days of usage history: no trend yet",
    "no_events": "no named product events in the usage feed",
    "no_seats": "no contracted seats to measure against",
    "no_contacts": "no contacts on record",
    "no_touch": "no activity logged and no contract start date",
    "no_nps": "no NPS response in the survey window",
    "no_csat": "no CSAT response in the survey window",
    "no_tickets": "the support desk has no tickets for this account",
    "no_plays": "no expansion plays logged",
    "no_advocacy": "no referral or advocacy on record",
    "onboarding": "no onboarding proxy (seed 000): stays a data gap until onboarding completes",
    "no_milestone": "the onboarding plan has no such milestone",
}
