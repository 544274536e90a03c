"""Post-close trigger (all segments): the order signal starts onboarding fresh, or activates the draft."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from gtmos.audit.services import event_record
from gtmos.core import clock
from gtmos.crm.models import Account, Opportunity

from .. import rules
from ..models import MilestoneItem, OnboardingLog, OnboardingPlan, OnboardingSettings, ProductValueEvent
from .log import log_write
from .preclose import (
    baseline_offset,
    milestone_configs,
    onboarding_applies,
    plan_draft_create,
    signoff_due_notify,
)


def on_order_closed_won(sender, opportunity, **kwargs) -> None:
    if opportunity.type != Opportunity.Type.NEW:
        account_update_on_repeat_close(opportunity=opportunity)
    if onboarding_applies(opportunity=opportunity, config=OnboardingSettings.load()):
        onboarding_start_on_close(opportunity=opportunity)


DEFAULT_TERM_MONTHS = 12


@transaction.atomic
def account_update_on_repeat_close(*, opportunity: Opportunity) -> Account:
    """A renewal or expansion close updates the established customer without reopening onboarding:
    a renewal sets ARR to the renewed contract value and moves the renewal date one term past its contract
    start; an expansion adds its ACV to ARR and keeps the renewal date (co-termed). The expansion play itself
    is recorded by health (its receiver of the same signal). Runs once per close (the order signal does)."""
    account = Account.objects.select_for_update().get(pk=opportunity.account_id)
    fields = {}
    if opportunity.type == Opportunity.Type.RENEWAL:
        term = (
            opportunity.quotes.order_by("-created_at", "-pk").values_list("term_months", flat=True).first()
            or DEFAULT_TERM_MONTHS
        )
        start = opportunity.contract_start_date or clock.today()
        fields = {"arr": opportunity.acv, "renewal_date": rules.add_months(start, term)}
    elif opportunity.type == Opportunity.Type.EXPANSION:
        fields = {"arr": account.arr + opportunity.acv}
    Account.objects.filter(pk=account.pk).update(**fields)
    event_record(
        type=f"account.{opportunity.type}_closed",
        subject=opportunity,
        account_id=account.pk,
        payload={k: str(v) for k, v in fields.items()},
        idempotency_key=f"account.repeat_close:{opportunity.pk}",
    )
    return account


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
    start = start or clock.today()
    config = OnboardingSettings.load()
    map_ = plan.map
    if map_.ttv_locked_at is None and not map_.ttv_target_manual:
        map_.ttv_target_days = ttv_target_for(
            map_=map_, start=start, segment_default=config.ttv_default(plan.account.segment)
        )
        map_.save(update_fields=["ttv_target_days", "updated_at"])
    plan.activate(contract_start=start)
    plan.save()
    reschedule(plan=plan, start=start, ttv_target=map_.ttv_target_days)
    if not plan.product_onboarding:  # a product plan on an established customer leaves the account as it is
        Account.objects.filter(pk=plan.account_id).update(
            onboarding_status="active",
            onboarding_start_date=start,
            ttv_target_days=map_.ttv_target_days,
            onboarding_complete_date=None,
        )
    if not map_.signed_off:
        closed_on = opportunity.closed_at.date() if opportunity.closed_at else clock.today()
        signoff_due_notify(plan=plan, closed_on=closed_on, window_days=config.map_signoff_window_days)
    log_write(
        plan=plan,
        entry_type=OnboardingLog.EntryType.CSM_ACTIVITY,
        activity_kind="note",
        on=start,
        notes="Onboarding activated at close" + (" (pre-boarding work carried forward)" if plan.preboarded else ""),
    )
    event_record(
        type="onboarding.activated",
        subject=plan,
        account_id=plan.account_id,
        payload={"preboarded": plan.preboarded, "ttv_target_days": map_.ttv_target_days},
        idempotency_key=f"onboarding.activated:{plan.pk}",
    )
    return plan


def ttv_target_for(*, map_, start: dt.date, segment_default: int) -> int:
    return ttv_target_for_events(
        events=map_.selected_value_events, start=start, segment_default=segment_default, segment=map_.account.segment
    )


def ttv_target_for_events(*, events, start: dt.date, segment_default: int, segment: str | None = None) -> int:
    """The earliest selected event's target date − contract start; with no dates, the shortest per-event
    default RevOps set for the segment (ProductValueEvents.segment_ttv_default_days); else the segment default."""
    dates = [dt.date.fromisoformat(e["target_date"]) for e in events or [] if e.get("target_date")]
    if not dates and segment:
        per_event = [
            d.get(segment)
            for d in ProductValueEvent.objects.filter(
                pk__in=[e.get("value_event_id") for e in events or []]
            ).values_list("segment_ttv_default_days", flat=True)
            if isinstance(d, dict)
        ]
        per_event = [int(days) for days in per_event if isinstance(days, int | float) and days > 0]
        if per_event:
            segment_default = min(per_event)
    return rules.ttv_target_days(value_event_dates=dates, contract_start=start, segment_default=segment_default)


def reschedule(*, plan: OnboardingPlan, start: dt.date, ttv_target: int) -> None:
    """Re-date open milestones from the contract start (the draft used the expected close date)."""
    configs = milestone_configs(plan=plan)
    items = list(plan.milestones.filter(status="pending"))
    for item in items:
        item.day_offset = rules.scaled_offset(baseline_offset(configs, item.code), ttv_target)
        item.target_date = start + dt.timedelta(days=item.day_offset)
    MilestoneItem.objects.bulk_update(items, ["day_offset", "target_date"])
