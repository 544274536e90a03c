"""CustomerHealthLog reads for a rep's book (AM: accounts they manage; CSM: accounts they serve).

One read of the latest scored day and of the day a period earlier serves the health trend, the NPS/CSAT
(satisfaction) trend, the escalation rate and the "> 50% of the book dropped a tier" row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from statistics import mean

from django.db.models import Max

from gtmos.health.models import CustomerHealthLog
from gtmos.health.models.log import AT_RISK_TIERS, RISK_ORDER

from .base import Rep

TREND_DAYS = 30


@dataclass
class BookHealth:
    accounts: int = 0
    score_deltas: list[float] = field(default_factory=list)
    satisfaction_deltas: list[float] = field(default_factory=list)
    at_risk: int = 0
    compared: int = 0  # accounts scored on both days, like with like (live both days)
    dropped: list[str] = field(default_factory=list)  # names of accounts that dropped ≥ 1 tier
    falling: list[tuple[float, str]] = field(default_factory=list)

    @property
    def trend(self) -> float | None:
        return round(mean(self.score_deltas), 2) if self.score_deltas else None

    @property
    def satisfaction_trend(self) -> float | None:
        return round(mean(self.satisfaction_deltas), 2) if self.satisfaction_deltas else None


def book_health(
    reps: dict[int, Rep], as_of: dt.date, *, field_name: str, period_days: int = TREND_DAYS
) -> dict[int, BookHealth]:
    """Per rep (``field_name`` = "am_id" or "csm_id"): their book's health on the latest scored day ≤ as_of
    against ``period_days`` earlier."""
    last = CustomerHealthLog.objects.filter(day__lte=as_of).aggregate(d=Max("day"))["d"]
    if last is None or not reps:
        return {}
    before = last - dt.timedelta(days=period_days)
    by_rep = {rep_id: BookHealth() for rep_id in reps}
    rows = CustomerHealthLog.objects.filter(
        day__in=(last, before), **{f"account__{field_name}__in": list(reps)}
    ).values_list(
        f"account__{field_name}",
        "account_id",
        "account__name",
        "day",
        "score",
        "tier",
        "in_onboarding",
        "components__satisfaction__score",
    )
    then, now = {}, {}
    for rep_id, acc, name, day, score, tier, onboarding, sat in rows:
        (now if day == last else then)[acc] = (rep_id, name, score, tier, onboarding, sat)
    for acc, (rep_id, name, score, tier, onboarding, sat) in now.items():
        book = by_rep[rep_id]
        book.accounts += 1
        book.at_risk += tier in AT_RISK_TIERS
        old = then.get(acc)
        if old is None or old[0] != rep_id:
            continue
        book.score_deltas.append(score - old[2])
        book.falling.append((score - old[2], name))
        if sat is not None and old[5] is not None:
            book.satisfaction_deltas.append(sat - old[5])
        # DESIGN: leaving onboarding mode (proxy → live score) is not a drop; compare live with live.
        if onboarding or old[4]:
            continue
        book.compared += 1
        if RISK_ORDER[tier] < RISK_ORDER[old[3]]:
            book.dropped.append(name)
    for book in by_rep.values():
        book.falling.sort()
    return by_rep
