"""Seed 000's rules as pure functions of plain values: no ORM, no clock. Services feed them facts."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

BASELINE_DAYS = 90  # seed 004's 90-day example: the offsets in OnboardingMilestoneConfig are on this scale
TTV_MILESTONES = ("M4", "M6")  # TTV is complete only when both are done
PATH_TO_TTV = ("M1", "M2", "M3", "M4", "M5", "M6")


@dataclass(frozen=True)
class DealFacts:
    segment: str
    acv: Decimal
    sam_value: Decimal
    stage_rank: int
    health: int | None
    has_services_line: bool
    has_api_sku: bool
    complex_integration: bool


def eligibility_reasons(deal: DealFacts, *, acv_threshold: Decimal, sam_threshold: Decimal) -> list[str]:
    """The pre-close eligibility gate: any one reason makes a deal eligible."""
    reasons = []
    if deal.segment == "ent":
        reasons.append("Enterprise segment")
    if deal.acv >= acv_threshold:
        reasons.append(f"ACV ${deal.acv:,.0f} ≥ ${acv_threshold:,.0f}")
    if deal.has_services_line:
        reasons.append("Implementation services on the quote")
    if deal.sam_value >= sam_threshold:
        reasons.append(f"SAM ${deal.sam_value:,.0f} ≥ ${sam_threshold:,.0f}")
    return reasons


def onboarding_applies(*, deal_type: str, skus: set[str], product_onboarding_skus: set[str]) -> bool:
    """Onboarding is the new customer's journey (seed 000): a new-business deal onboards; a renewal or an
    expansion onboards only when it carries a SKU RevOps marked as needing its own product onboarding."""
    return deal_type == "new" or bool(skus & product_onboarding_skus)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, clamped to the month's last day (Jan 31 + 1 month = Feb 28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return min(
        day.replace(year=year, month=month, day=1) + dt.timedelta(days=day.day - 1), following - dt.timedelta(days=1)
    )


def auto_fires(deal: DealFacts, *, min_stage_rank: int, health_threshold: int) -> bool:
    """Pre-close auto-fire (after the gate): deal health ≥ threshold AND stage ≥ Proposal."""
    return deal.health is not None and deal.health >= health_threshold and deal.stage_rank >= min_stage_rank


def needs_services_flag(deal: DealFacts) -> list[str]:
    """Resource flag: complexity says services are needed but the quote has no services line."""
    if deal.has_services_line:
        return []
    signals = []
    if deal.segment == "ent":
        signals.append("Enterprise segment")
    if deal.has_api_sku:
        signals.append("API / consumption SKU on the quote")
    if deal.complex_integration:
        signals.append("complex integration discussed")
    return signals


def ttv_target_days(*, value_event_dates: list[dt.date], contract_start: dt.date | None, segment_default: int) -> int:
    """The earliest selected value event's target date minus contract start, else the segment default."""
    if value_event_dates and contract_start:
        days = (min(value_event_dates) - contract_start).days
        if days > 0:
            return days
    return segment_default


def scaled_offset(day_offset: int, ttv_target: int) -> int:
    return max(1, round(day_offset * ttv_target / BASELINE_DAYS))


@dataclass(frozen=True)
class Projection:
    deadline: dt.date
    projected: dt.date | None  # None: TTV already complete
    complete: bool
    misses: bool
    blocking: tuple[str, ...]
    exec_flag_due: dt.date


def project_ttv(
    *,
    start: dt.date,
    ttv_target: int,
    today: dt.date,
    done: dict[str, dt.date | None],
    targets: dict[str, dt.date | None],
    exec_flag_pct: int = 50,
) -> Projection:
    """TTV projection from milestone velocity.

    ``done`` maps milestone code → completion date (None when open). Velocity is milestones done on the
    path to TTV (M1–M6) per elapsed day; the projection is the later of the velocity estimate and the
    schedule slip of the most overdue open milestone. Blocking milestones are the open ones that are
    overdue, plus M4/M6 while open.
    """
    deadline = start + dt.timedelta(days=ttv_target)
    exec_flag_due = start + dt.timedelta(days=math.ceil(ttv_target * exec_flag_pct / 100))
    ttv_done = [done.get(code) for code in TTV_MILESTONES]
    if all(ttv_done):
        return Projection(deadline, None, True, False, (), exec_flag_due)

    path = [code for code in PATH_TO_TTV if code in done]
    completed = [code for code in path if done[code]]
    elapsed = max((today - start).days, 0)
    estimates = []
    if completed and elapsed:
        per_day = len(completed) / elapsed
        estimates.append(start + dt.timedelta(days=math.ceil(len(path) / per_day)))
    overdue = [code for code in path if not done[code] and targets.get(code) and targets[code] < today]
    if overdue:
        worst = min(targets[code] for code in overdue)
        estimates.append(deadline + (today - worst))
    projected = max(estimates) if estimates else deadline
    projected = max(projected, today)
    blocking = tuple(dict.fromkeys([*overdue, *[c for c in TTV_MILESTONES if c in done and not done[c]]]))
    return Projection(deadline, projected, False, projected > deadline, blocking, exec_flag_due)


def consecutive_unanswered(kinds_newest_first: list[str]) -> int:
    """Outreach attempts since the customer last replied (a reply, or contacts attending a training session,
    resets the count)."""
    count = 0
    for kind in kinds_newest_first:
        if kind in ("customer_reply", "training"):
            break
        if kind == "outreach":
            count += 1
    return count
