"""The daily AGT-501 run: one CustomerHealthLog row per customer per day, then the risk follow-ups.

Set-based from end to end: one grouped read per source (``inputs``), the scoring in memory, one COPY of
the day's rows, and bulk writes for cases, tasks and notices, so the query count does not grow with the
book. Safe to run twice: the day's rows are replaced in the same transaction with identical values, and
every follow-up is keyed so it happens once.
"""

from __future__ import annotations

import datetime as dt
from contextlib import ExitStack
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Min

from gtmos.core import bulk, clock
from gtmos.core.heap import cyclic_gc_paused
from gtmos.core.snapshot import overlap_allowed, set_local
from onboarding.models import OnboardingSettings

from ..models import CustomerHealthLog, HealthOverride, HealthSettings
from ..scoring import AT_RISK, HealthResult, ScoringConfig, drivers, score_account, tier_for
from . import reader, risk

LOG_COLUMNS = (
    "account_id",
    "day",
    "score",
    "computed_score",
    "tier",
    "lifecycle_segment",
    "in_onboarding",
    "coverage_pct",
    "components",
    "measures",
    "inputs",
    "data_gaps",
    "previous_score",
    "score_change",
    "drivers",
    "override_id",
    "created_at",
)


@dataclass
class Scored:
    """One account's outcome of the run, as the follow-ups need it."""

    account_id: int
    result: HealthResult
    score: int
    tier: str
    previous_tier: str | None
    score_change: int | None
    drivers: list[dict]


def scoring_config(settings: HealthSettings) -> ScoringConfig:
    return ScoringConfig.from_settings(
        settings, adoption_threshold_pct=OnboardingSettings.load().adoption_threshold_pct
    )


@transaction.atomic
def health_daily(*, today: dt.date | None = None, follow_ups: bool = True) -> dict[str, int]:
    """Score every customer for ``today`` and write the day's log; then open risk cases and send notices.

    ``follow_ups=False`` writes the log only (used to back-fill history, where notices would be noise).
    """
    today = today or clock.today()
    set_local(*reader.CHUNK_SESSION)
    HealthSettings.load()
    # The row lock serialises concurrent runs (a retried task overlapping a slow one).
    settings = HealthSettings.objects.select_for_update().get(pk=1)
    config = scoring_config(settings)
    overrides = dict(
        (a, (pk, s)) for a, pk, s in HealthOverride.objects.active(today).values_list("account_id", "pk", "score")
    )
    last_day = CustomerHealthLog.objects.filter(day__lt=today).aggregate(d=Max("day"))["d"]
    mover = settings.mover_points

    now = clock.now()
    follow: list[Scored] = []  # only what the follow-ups read (at risk, or a sharp drop): memory stays bounded
    at_risk = 0
    CustomerHealthLog.objects.filter(day=today).delete()
    # Streamed a chunk of accounts at a time (issue 21: a million customers): the same reads and the same
    # rows as one pass, with memory bounded by the chunk, not the book.
    reads = reader.chunk_reads(today=today, settings=settings, last_day=last_day, size=_chunk_size())
    overlap = _overlap()
    with ExitStack() as stack:
        if overlap:
            # Reads on a second connection one chunk ahead, the COPY of each chunk from a helper thread:
            # PostgreSQL works while Python scores (see ``reader``).
            reads = stack.enter_context(reader.prefetched(reads, snapshot=reader.export_snapshot()))
        log = stack.enter_context(bulk.CopyStream(CustomerHealthLog, LOG_COLUMNS, background=overlap))
        # The loop allocates millions of acyclic containers: the cyclic collector would rescan the growing
        # heap over and over (a third of the scoring time) and find nothing.
        stack.enter_context(cyclic_gc_paused())
        for inputs, previous in reads:
            lines = []
            for account_id, account_inputs_ in inputs.items():
                result = score_account(account_inputs_, config)
                before = previous.get(account_id)
                override_id, score = overrides.get(account_id, (None, result.score))
                tier = tier_for(score, config) if override_id else result.tier
                segment = "at_risk" if tier in AT_RISK else result.tenure_segment
                change = result.score - before[0] if before else None
                # Drivers whenever a measure moved, even if the rounded score did not (small moves still explain).
                moved = (
                    drivers(
                        measures=result.measures,
                        previous=before[1],
                        weights=config.weights,
                        inputs=result.inputs,
                        was_onboarding=before[2],
                        in_onboarding=result.in_onboarding,
                    )
                    if before
                    else []
                )
                lines.append(
                    _log_line(
                        (
                            account_id,
                            today,
                            score,
                            result.score,
                            tier,
                            segment,
                            result.in_onboarding,
                            result.coverage_pct,
                            result.components,
                            result.measures,
                            result.inputs,
                            result.data_gaps,
                            before[0] if before else None,
                            change,
                            moved,
                            override_id,
                            now,
                        )
                    )
                )
                at_risk += tier in AT_RISK
                if tier in AT_RISK or (change is not None and change <= -mover):
                    follow.append(Scored(account_id, result, score, tier, before[3] if before else None, change, moved))
            lines.append("")  # the last line's newline
            log.send("\n".join(lines), len(lines) - 1)
    written = log.rows
    scored = follow
    summary = {"accounts": written, "at_risk": at_risk}
    if follow_ups:
        summary.update(
            risk.after_scoring(today=today, scored=scored, settings=settings, told_drops=_drops_told_intraday(today))
        )
        summary["tasks_escalated"] = risk.overdue_tasks_escalate(today=today, settings=settings)
    return summary


def _drops_told_intraday(today: dt.date) -> dict[int, int]:
    """Drops an intraday re-score told the CSM since the previous daily run: not told twice (issue 21)."""
    from ..models import HealthRescore

    since = CustomerHealthLog.objects.filter(day__lt=today).aggregate(d=Max("day"))["d"]
    told = HealthRescore.objects.filter(drop_notified=True, day__lte=today)
    if since is not None:
        told = told.filter(day__gte=since)
    return dict(told.values("account_id").annotate(low=Min("score")).values_list("account_id", "low"))


def _text(value) -> str:
    return r"\N" if value is None else str(value)


def _log_line(r: tuple) -> str:
    """One log row as COPY text, in LOG_COLUMNS order. The run writes 100k of these: no type dispatch."""
    j = bulk.copy_json
    return (
        f"{r[0]}\t{r[1].isoformat()}\t{r[2]}\t{r[3]}\t{r[4]}\t{r[5]}\t{'t' if r[6] else 'f'}\t{r[7]}\t"
        f"{j(r[8])}\t{j(r[9])}\t{j(r[10])}\t{j(r[11])}\t{_text(r[12])}\t{_text(r[13])}\t{j(r[14])}\t"
        f"{_text(r[15])}\t{r[16].isoformat()}"
    )


def _chunk_size() -> int:
    from django.conf import settings as django_settings

    return getattr(django_settings, "HEALTH_DAILY_CHUNK", 20_000)


def _overlap() -> bool:
    """Prefetch and background COPY: on unless HEALTH_DAILY_OVERLAP is off, and only in the outermost
    transaction (``gtmos.core.snapshot.overlap_allowed``)."""
    return overlap_allowed("HEALTH_DAILY_OVERLAP")


def health_backfill(*, days: int, today: dt.date | None = None) -> int:
    """Write the log for the ``days`` days before ``today`` (demo history, back-test data)."""
    today = today or clock.today()
    for back in range(days, 0, -1):
        health_daily(today=today - dt.timedelta(days=back), follow_ups=False)
    return days
