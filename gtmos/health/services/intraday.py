"""Re-score on the signal (issue 21): the dirty accounts, re-scored between daily runs.

The drain claims accounts whose last write is a quiet spell old (a burst to one account is one re-score, after
the burst) or whose first unscored write waited ``max_wait`` (a constantly busy account is still re-scored),
one drain at a time (an advisory lock; an overlapping tick returns at once). It scores them with the daily job's
pure code (``score_account`` over ``account_inputs`` for those accounts only) and writes one ``HealthRescore``
each. The dirty marks are an append-only log (``HealthDirtyWrite``): the drain deletes the rows its snapshot
sees, so a write that commits while it runs leaves its row for the next drain, and no write is missed. The
daily ``CustomerHealthLog`` is never read or written here.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import Max

from gtmos.core import clock

from ..inputs import account_inputs
from ..models import CustomerHealthLog, HealthOverride, HealthRescore, HealthSettings
from ..scoring import AT_RISK, drivers, score_account, tier_for
from . import risk
from .daily import Scored, scoring_config


def _setting(name: str, default):
    return getattr(django_settings, name, default)


def health_dirty_drain(
    *,
    quiet_seconds: float | None = None,
    max_wait_seconds: float | None = None,
    batch: int | None = None,
    today: dt.date | None = None,
) -> dict[str, int]:
    """Claim a batch of due dirty accounts and re-score them, in one transaction."""
    quiet = _setting("HEALTH_INTRADAY_QUIET_SECONDS", 3) if quiet_seconds is None else quiet_seconds
    max_wait = _setting("HEALTH_INTRADAY_MAX_WAIT_SECONDS", 60) if max_wait_seconds is None else max_wait_seconds
    batch = batch or _setting("HEALTH_INTRADAY_BATCH", 2000)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # One drain at a time: a second one (an overlapping beat tick) would wait on the first's deletes.
            cursor.execute("SELECT pg_try_advisory_xact_lock(hashtextextended('health:dirty-drain', 17))")
            if not cursor.fetchone()[0]:
                return {"claimed": 0, "rescored": 0, "cases_opened": 0, "drop_notices": 0}
            # The database's clock: the trigger stamps rows with it, whatever the injected clock says. One
            # snapshot decides and deletes, so a write committed meanwhile stays in the log for the next drain.
            cursor.execute(
                "WITH due AS ("
                " SELECT account_id FROM health_healthdirtywrite GROUP BY account_id"
                " HAVING max(at) <= clock_timestamp() - make_interval(secs => %s)"
                "     OR min(at) <= clock_timestamp() - make_interval(secs => %s)"
                " ORDER BY min(at) LIMIT %s)"
                " DELETE FROM health_healthdirtywrite w USING due WHERE w.account_id = due.account_id"
                " RETURNING w.account_id, w.kind, w.rows, w.at",
                [quiet, max_wait, batch],
            )
            claimed = _by_account(cursor.fetchall())
        if not claimed:
            return {"claimed": 0, "rescored": 0, "cases_opened": 0, "drop_notices": 0}
        summary = health_rescore(account_ids=list(claimed), writes=claimed, today=today)
    return {"claimed": len(claimed), **summary}


def _by_account(rows) -> dict[int, tuple[dict, dt.datetime, dt.datetime]]:
    """The deleted log rows → per account: (writes by kind, first write, last write)."""
    claimed: dict[int, tuple[dict, dt.datetime, dt.datetime]] = {}
    for account_id, kind, n, at in rows:
        writes, first, last = claimed.get(account_id, ({}, at, at))
        writes[kind] = writes.get(kind, 0) + n
        claimed[account_id] = (writes, min(first, at), max(last, at))
    return claimed


def _latest_records(account_ids, today) -> dict[int, dict]:
    """Per account, the record the CSM sees now: the newer of its last daily row and its last re-score."""
    latest: dict[int, dict] = {}
    fields = ("account_id", "score", "computed_score", "tier", "measures", "in_onboarding", "override_id")
    last_day = dict(
        CustomerHealthLog.objects.filter(account_id__in=account_ids, day__lte=today)
        .values("account_id")
        .annotate(d=Max("day"))
        .values_list("account_id", "d")
    )
    for row in CustomerHealthLog.objects.filter(account_id__in=account_ids, day__in=set(last_day.values())).values(
        *fields, "created_at", "day"
    ):
        if last_day.get(row["account_id"]) == row["day"]:
            latest[row["account_id"]] = {**row, "at": row["created_at"], "intraday": False}
    for row in (
        HealthRescore.objects.filter(account_id__in=account_ids)
        .order_by("account_id", "-scored_at")
        .distinct("account_id")
        .values(*fields, "scored_at")
    ):
        current = latest.get(row["account_id"])
        if current is None or row["scored_at"] >= current["at"]:
            latest[row["account_id"]] = {**row, "at": row["scored_at"], "intraday": True}
    return latest


def health_rescore(
    *, account_ids: list[int], writes: dict | None = None, today: dt.date | None = None
) -> dict[str, int]:
    """Re-score these accounts as of ``today`` and open cases and notices as the daily job would.

    Idempotent: without new writes, an account whose newest record is a re-score with the same score, override
    and measures gets no new row (re-scoring twice leaves the same state)."""
    today = today or clock.today()
    writes = writes or {}
    settings = HealthSettings.load()
    config = scoring_config(settings)
    inputs = account_inputs(today=today, settings=settings, account_ids=account_ids)
    latest = _latest_records(list(inputs), today)
    overrides = {
        a: (pk, s)
        for a, pk, s in HealthOverride.objects.active(today)
        .filter(account_id__in=list(inputs))
        .values_list("account_id", "pk", "score")
    }
    now = clock.now()
    rows, scored = [], []
    for account_id, account_inputs_ in inputs.items():
        result = score_account(account_inputs_, config)
        before = latest.get(account_id)
        override_id, score = overrides.get(account_id, (None, result.score))
        # A re-score that nothing triggered and that changes nothing writes nothing; one a write triggered is
        # always recorded ("re-scored after 1 support ticket arrived", even at the same score), so every
        # dirtied account visibly has a re-score after its last write.
        if (
            account_id not in writes
            and before
            and before["intraday"]
            and (before["score"], before["override_id"], before["measures"]) == (score, override_id, result.measures)
        ):
            continue
        tier = tier_for(score, config) if override_id else result.tier
        change = result.score - before["computed_score"] if before else None
        moved = (
            drivers(
                measures=result.measures,
                previous=before["measures"],
                weights=config.weights,
                inputs=result.inputs,
                was_onboarding=before["in_onboarding"],
                in_onboarding=result.in_onboarding,
            )
            if before
            else []
        )
        what, first, last = writes.get(account_id, ({}, None, None))
        rows.append(
            HealthRescore(
                account_id=account_id,
                day=today,
                scored_at=now,
                writes=what,
                first_write_at=first,
                last_write_at=last,
                score=score,
                computed_score=result.score,
                tier=tier,
                lifecycle_segment="at_risk" if tier in AT_RISK else result.tenure_segment,
                in_onboarding=result.in_onboarding,
                coverage_pct=result.coverage_pct,
                components=result.components,
                measures=result.measures,
                inputs=result.inputs,
                data_gaps=result.data_gaps,
                previous_score=before["computed_score"] if before else None,
                score_change=change,
                drivers=moved,
                override_id=override_id,
                drop_notified=change is not None and change <= -settings.mover_points,
            )
        )
        scored.append(Scored(account_id, result, score, tier, before["tier"] if before else None, change, moved))
    HealthRescore.objects.bulk_create(rows)
    follow = (
        risk.after_scoring(today=today, scored=scored, settings=settings)
        if scored
        else {"cases_opened": 0, "drop_notices": 0}
    )
    return {"rescored": len(rows), **follow}
