"""Back-test: did the score, ``horizon`` days before the outcome, separate customers who churned from
customers who renewed?

Outcomes come from the data: churned = ``Account.churned_on``; renewed = a renewal opportunity closed won.
The prediction is the computed score (overrides excluded: the weights are on trial) on the last record at
or up to a week before the horizon day. Reported: AUC (the chance a renewed customer outscored a churned
one), AUC per component, and a calibration table of churn rate by tier band.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from gtmos.crm.models import Account, Opportunity

from .measures import COMPONENTS
from .models import CustomerHealthLog, HealthSettings

DEFAULT_HORIZON = 60  # two months' warning: enough time to run a retention play
SNAP_TOLERANCE = dt.timedelta(days=7)
MIN_PER_CLASS = 20


@dataclass
class Report:
    horizon_days: int
    churned: int = 0
    renewed: int = 0
    unscored: int = 0
    auc: float | None = None
    component_auc: dict[str, dict] = field(default_factory=dict)  # {"auc", "churned", "renewed", "enough"}
    calibration: list[dict] = field(default_factory=list)
    mean_churned: float | None = None
    mean_renewed: float | None = None

    @property
    def enough_data(self) -> bool:
        return self.churned >= MIN_PER_CLASS and self.renewed >= MIN_PER_CLASS

    @property
    def verdict(self) -> str:
        if self.auc is None:
            return "No outcomes with a score at the horizon yet: nothing to test."
        quality = (
            "separates churn from renewal well"
            if self.auc >= 0.8
            else "separates them usefully"
            if self.auc >= 0.7
            else "separates them only weakly"
            if self.auc >= 0.6
            else "does no better than chance"
        )
        caveat = "" if self.enough_data else f" Fewer than {MIN_PER_CLASS} outcomes in a class: treat as indicative."
        return f"The score {quality} (AUC {self.auc:.2f}).{caveat}"


def auc(pairs: list[tuple[float, int]]) -> float | None:
    """Mann–Whitney AUC of ``(score, churned)`` pairs: P(renewed score > churned score), ties half."""
    pos = sum(1 for _, y in pairs if y == 0)  # renewed: the score should be high
    neg = len(pairs) - pos
    if not pos or not neg:
        return None
    ordered = sorted(pairs, key=lambda p: p[0])
    rank_sum, i = 0.0, 0
    while i < len(ordered):
        j = i
        while j < len(ordered) and ordered[j][0] == ordered[i][0]:
            j += 1
        mid_rank = (i + 1 + j) / 2  # average rank of a tie group
        rank_sum += mid_rank * sum(1 for k in range(i, j) if ordered[k][1] == 0)
        i = j
    return round((rank_sum - pos * (pos + 1) / 2) / (pos * neg), 3)


def _outcomes() -> dict[int, tuple[dt.date, int]]:
    """account → (outcome day, 1 churned / 0 renewed); a churn wins over an earlier renewal."""
    outcomes: dict[int, tuple[dt.date, int]] = {}
    renewals = Opportunity.objects.filter(type=Opportunity.Type.RENEWAL, stage="closed_won", closed_at__isnull=False)
    for account_id, closed_at in renewals.values_list("account_id", "closed_at").order_by("closed_at"):
        outcomes[account_id] = (closed_at.date(), 0)
    for account_id, churned_on in Account.objects.filter(churned_on__isnull=False).values_list("pk", "churned_on"):
        outcomes[account_id] = (churned_on, 1)
    return outcomes


def run(*, horizon_days: int = DEFAULT_HORIZON) -> Report:
    report = Report(horizon_days=horizon_days)
    outcomes = _outcomes()
    if not outcomes:
        return report
    horizon = dt.timedelta(days=horizon_days)
    targets = {a: day - horizon for a, (day, _) in outcomes.items()}
    lo, hi = min(targets.values()) - SNAP_TOLERANCE, max(targets.values())
    snapshots: dict[int, tuple[dt.date, int, dict]] = {}
    rows = (
        CustomerHealthLog.objects.filter(account_id__in=list(outcomes), day__gte=lo, day__lte=hi)
        .values_list("account_id", "day", "computed_score", "components")
        .order_by("day")
    )
    for account_id, day, score, components in rows.iterator(chunk_size=5000):
        target = targets[account_id]
        if target - SNAP_TOLERANCE <= day <= target:
            snapshots[account_id] = (day, score, components)  # ordered by day: the last one wins
    report.unscored = len(outcomes) - len(snapshots)
    pairs = [(score, outcomes[a][1]) for a, (_, score, _) in snapshots.items()]
    report.churned = sum(y for _, y in pairs)
    report.renewed = len(pairs) - report.churned
    report.auc = auc(pairs)
    for comp in COMPONENTS:
        comp_pairs = [((c.get(comp) or {}).get("score"), outcomes[a][1]) for a, (_, _, c) in snapshots.items()]
        comp_pairs = [(s, y) for s, y in comp_pairs if s is not None]  # a component that was a gap says nothing
        churned = sum(y for _, y in comp_pairs)
        report.component_auc[comp] = {
            "auc": auc(comp_pairs),
            "churned": churned,
            "renewed": len(comp_pairs) - churned,
            "enough": min(churned, len(comp_pairs) - churned) >= MIN_PER_CLASS,
        }
    churned_scores = [s for s, y in pairs if y == 1]
    renewed_scores = [s for s, y in pairs if y == 0]
    report.mean_churned = round(sum(churned_scores) / len(churned_scores), 1) if churned_scores else None
    report.mean_renewed = round(sum(renewed_scores) / len(renewed_scores), 1) if renewed_scores else None
    report.calibration = _calibration(pairs, HealthSettings.load())
    return report


def _calibration(pairs: list[tuple[int, int]], s: HealthSettings) -> list[dict]:
    bands = [
        ("Critical", 0, s.tier_high_min - 1),
        ("High", s.tier_high_min, s.tier_medium_min - 1),
        ("Medium", s.tier_medium_min, s.tier_low_min - 1),
        ("Low", s.tier_low_min, 100),
    ]
    table = []
    for label, lo, hi in bands:
        inside = [y for score, y in pairs if lo <= score <= hi]
        table.append(
            {
                "band": f"{label} ({lo}–{hi})",
                "accounts": len(inside),
                "churned": sum(inside),
                "churn_rate": round(100 * sum(inside) / len(inside)) if inside else None,
            }
        )
    return table
