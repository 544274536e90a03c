"""Post-close trigger (all segments): the order signal starts onboarding fresh, or activates the draft."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from gtmos.audit.services import event_record
from gtmos.crm.models import Account, Opportunity

from .. import rules
from ..models import MilestoneItem, OnboardingLog, OnboardingPlan, OnboardingSettings
from .log import log_write
from .preclose import baseline_offset, milestone_configs, plan_draft_create


def on_order_closed_won(sender, opportunity, **kwargs) -> None:
    onboarding_start_on_close(opportunity=opportunity)


@transaction.atomic
def onboarding_start_on_close(*, opportunity: Opportunity) -> OnboardingPlan:
    """Every closed deal gets a MAP, a plan and a sign-off window. Idempotent."""
    plan = OnboardingPlan.objects.filter(opportunity=opportunity).first()
    if plan is None:
        plan = plan_draft_create(opportunity=opportunity, reason="Post-close: started at close", preboarded=False)
    plan = OnboardingPlan.objects.select_for_update(of=("self",)).select_related("map", "account").get(pk=plan.pk)
    if plan.status != "draft":
        return plan
    start = opportunity.contract_start_date or (opportunity.closed_at.date() if opportunity.closed_at else None)
    start = start or dt.date.today()
    config = OnboardingSettings.load()
    map_ = plan.map
    if map_.ttv_locked_at is None and not map_.ttv_target_manual:
        map_.ttv_target_days = ttv_target_for(map_=map_, start=start, segment_default=config.ttv_default(plan.account.segment))
        map_.save(update_fields=["ttv_target_days", "updated_at"])
    plan.activate(contract_start=start)
    plan.save()
    reschedule(plan=plan, start=start, ttv_target=map_.ttv_target_days)
    Account.objects.filter(pk=plan.account_id).update(
        onboarding_status="active", onboarding_start_date=start, ttv_target_days=map_.ttv_target_days,
        onboarding_complete_date=None,
    )
    log_write(plan=plan, entry_type=OnboardingLog.EntryType.CSM_ACTIVITY, activity_kind="note", on=start,
              notes="Onboarding activated at close" + (" (pre-boarding work carried forward)" if plan.preboarded else ""))
    event_record(type="onboarding.activated", subject=plan, account_id=plan.account_id,
                 payload={"preboarded": plan.preboarded, "ttv_target_days": map_.ttv_target_days},
                 idempotency_key=f"onboarding.activated:{plan.pk}")
    return plan


def ttv_target_for(*, map_, start: dt.date, segment_default: int) -> int:
    dates = [dt.date.fromisoformat(e["target_date"]) for e in map_.selected_value_events or [] if e.get("target_date")]
    return rules.ttv_target_days(value_event_dates=dates, contract_start=start, segment_default=segment_default)


def reschedule(*, plan: OnboardingPlan, start: dt.date, ttv_target: int) -> None:
    """Re-date open milestones from the contract start (the draft used the expected close date)."""
    configs = milestone_configs(plan=plan)
    items = list(plan.milestones.filter(status="pending"))
    for item in items:
        item.day_offset = rules.scaled_offset(baseline_offset(configs, item.code), ttv_target)
        item.target_date = start + dt.timedelta(days=item.day_offset)
    MilestoneItem.objects.bulk_update(items, ["day_offset", "target_date"])
