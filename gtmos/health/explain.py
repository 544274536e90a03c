"""Plain-language explanations of a health record: what each measure saw, and the warning signals.

Works from the raw values the scorer stores in ``CustomerHealthLog.inputs``, so the explanation of a past
day reads what was known that day.
"""

from __future__ import annotations

import datetime as dt

from .measures import BY_CODE, GAP_REASONS

STATE_WORDS = {"done": "done", "due": "not yet due", "overdue": "overdue", "absent": "not in the plan"}
WARNING_BELOW = 40  # a measure scoring under this is a warning signal on a churn-risk case


def _days(n: int) -> str:
    return "today" if n == 0 else ("1 day ago" if n == 1 else f"{n} days ago")


def describe(code: str, raw) -> str:
    """What the measure saw, e.g. "12 login days in the last 30" or the reason it is a data gap."""
    if isinstance(raw, str) and raw in GAP_REASONS:
        return f"Data gap: {GAP_REASONS[raw]}"
    if isinstance(raw, dict) and any(k in raw for k in ("M1", "M4", "M5", "M6")):
        parts = [f"{k} {STATE_WORDS.get(v, v)}" for k, v in raw.items() if k.startswith("M")]
        if "touch" in raw:
            parts.append(f"exec touchpoint logged {_days(raw['touch'])}")
        if "progress" in raw:
            parts.append(f"{raw['progress']}% of the way to the adoption threshold")
        return "Onboarding proxy: " + ", ".join(parts)
    return _LIVE.get(code, lambda r: str(r))(raw)


def _touch(raw) -> str:
    days, source = raw
    return {
        "touch": f"last customer touch {_days(days)}",
        "contract": f"no touch logged since the contract started {_days(days)}",
        "onboarding_log": f"Onboarding proxy: CSM activity logged {_days(days)}",
        "kickoff": f"Onboarding proxy: no CSM activity logged since kickoff {_days(days)}",
    }[source]


def _exec(raw) -> str:
    if raw == "none":
        return "no executive sponsor on record"
    if raw == "never":
        return "executive sponsor never engaged"
    return f"executive sponsor last engaged {_days(raw)}"


def _tickets(raw) -> str:
    if not raw:
        return "no tickets in the lookback window"
    return ", ".join(f"{n} {priority}" for priority, n in raw.items()) + " ticket(s) in the lookback window"


_LIVE = {
    "login_frequency": lambda r: f"{r} login days in the last 30",
    "exec_sponsor": _exec,
    "engagement_recency": _touch,
    "feature_activation": lambda r: f"{r} distinct features used in the last 30 days",
    "usage_trend": lambda r: f"usage at {r}% of the previous 30 days",
    "seat_utilization": lambda r: f"{r}% of contracted seats active (7-day average)",
    "nps": lambda r: f"latest NPS {r} ({'promoter' if r >= 9 else 'passive' if r >= 7 else 'detractor'})",
    "csat": lambda r: f"latest CSAT {r} of 5",
    "support_tickets": _tickets,
    "expansion": lambda r: {
        "won": "an expansion play won in the window",
        "open": "an expansion play open",
        "lost": "latest expansion play lost",
        "suppressed": "expansion suppressed",
        "stale": "no expansion play in the window",
    }.get(r, str(r)),
    "advocacy": lambda r: f"{r} referral/advocacy act(s) in the window",
}


def warning_signals(
    *,
    measures: dict,
    inputs: dict,
    score_change: int | None,
    mover_points: int,
    renewal_date: dt.date | None,
    today: dt.date,
) -> list[dict]:
    """The warning signals behind a churn-risk case: weak measures, a sharp drop, a near renewal."""
    signals = [
        {"code": code, "label": BY_CODE[code].label, "score": s, "detail": describe(code, inputs.get(code))}
        for code, s in sorted(measures.items(), key=lambda kv: (kv[1] is None, kv[1] or 0))
        if s is not None and s < WARNING_BELOW
    ]
    if score_change is not None and score_change <= -mover_points:
        signals.insert(
            0,
            {
                "code": "score_drop",
                "label": "Score drop",
                "score": None,
                "detail": f"score fell {-score_change} points since the previous record",
            },
        )
    if renewal_date is not None and today <= renewal_date <= today + dt.timedelta(days=90):
        signals.append(
            {
                "code": "renewal_near",
                "label": "Renewal near",
                "score": None,
                "detail": f"renewal on {renewal_date:%d %b %Y}, {(renewal_date - today).days} days away",
            }
        )
    return signals
