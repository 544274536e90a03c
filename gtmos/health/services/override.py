"""Manual score overrides: a person's judgement, with a reason, shown as such beside the computed score."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from gtmos.audit.services import event_record
from gtmos.core import clock
from gtmos.crm.models import Account, Employee

from ..models import AT_RISK_TIERS, CustomerHealthLog, HealthOverride, HealthSettings
from ..scoring import tenure_segment, tier_for
from .daily import scoring_config


@transaction.atomic
def override_set(
    *, account: Account, score: int, reason: str, by: Employee, expires_on: dt.date | None = None
) -> HealthOverride:
    """Replace any active override; today's record shows the new score at once (the computed one stays)."""
    if not 0 <= score <= 100:
        raise ValueError("score: between 0 and 100")
    if not reason.strip():
        raise ValueError("reason: an override needs a reason")
    settings = HealthSettings.load()
    today = clock.today()
    expires_on = expires_on or today + dt.timedelta(days=settings.override_days)
    if expires_on < today:
        raise ValueError("expires_on: must not be in the past")
    HealthOverride.objects.select_for_update().filter(account=account, cleared_at__isnull=True).update(
        cleared_at=clock.now(), cleared_by=by
    )
    override = HealthOverride.objects.create(
        account=account, score=score, reason=reason.strip(), set_by=by, expires_on=expires_on
    )
    _apply_to_today(account=account, score=score, override=override, settings=settings)
    event_record(
        type="health.override_set",
        subject=account,
        actor=by.user,
        payload={"score": score, "reason": override.reason, "expires_on": expires_on.isoformat()},
    )
    return override


@transaction.atomic
def override_clear(*, account: Account, by: Employee) -> int:
    cleared = HealthOverride.objects.filter(account=account, cleared_at__isnull=True).update(
        cleared_at=clock.now(), cleared_by=by
    )
    if cleared:
        record = CustomerHealthLog.objects.filter(account=account, day=clock.today()).first()
        if record is not None:
            _apply_to_today(account=account, score=record.computed_score, override=None, settings=HealthSettings.load())
        event_record(type="health.override_cleared", subject=account, actor=by.user)
    return cleared


def _apply_to_today(*, account: Account, score: int, override: HealthOverride | None, settings: HealthSettings):
    record = CustomerHealthLog.objects.select_for_update().filter(account=account, day=clock.today()).first()
    if record is None:
        return
    config = scoring_config(settings)
    tier = tier_for(score, config)
    segment = "at_risk" if tier in AT_RISK_TIERS else tenure_segment(account.contract_start_date, record.day, config)
    CustomerHealthLog.objects.filter(pk=record.pk).update(
        score=score, tier=tier, lifecycle_segment=segment, override=override
    )
