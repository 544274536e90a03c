"""OnboardingLog is written continuously: every milestone, activity, exec touchpoint, escalation, close."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, Q

from gtmos.core import clock

from ..models import MilestoneItem, OnboardingLog, OnboardingPlan
from ..models.plan import MilestoneStatus

EXEC_ENGAGED_WINDOW_DAYS = 30


def exec_sponsor_engaged(*, plan: OnboardingPlan, on: dt.date) -> bool:
    """Exec sponsor engaged in the last 30 days: an exec touchpoint, or M5 done, within the window."""
    since = on - dt.timedelta(days=EXEC_ENGAGED_WINDOW_DAYS)
    touch = plan.log_entries.filter(entry_type=OnboardingLog.EntryType.EXEC_TOUCHPOINT, log_date__gt=since).exists()
    if touch:
        return True
    return plan.milestones.filter(code="M5", status=MilestoneStatus.DONE, completed_on__gt=since).exists()


def log_write(*, plan: OnboardingPlan, entry_type: str, notes: str = "", milestone_id: str = "",
              escalation_type: str = "", activity_kind: str = "", author=None, on: dt.date | None = None
              ) -> OnboardingLog:
    on = on or clock.today()
    counts = plan.milestones.aggregate(total=Count("id"), done=Count("id", filter=Q(status=MilestoneStatus.DONE)))
    start = plan.contract_start_date or on
    closing = entry_type == OnboardingLog.EntryType.CLOSE
    return OnboardingLog.objects.create(
        account_id=plan.account_id, plan=plan, log_date=on, logged_at=clock.now(), entry_type=entry_type,
        activity_kind=activity_kind, milestone_id=milestone_id, escalation_type=escalation_type,
        onboarding_status="complete" if closing else "active",
        ttv_days_elapsed=(on - start).days, ttv_target_days=plan.map.ttv_target_days or 0,
        milestones_complete=counts["done"], milestones_total=counts["total"],
        exec_sponsor_engaged=exec_sponsor_engaged(plan=plan, on=on),
        in_onboarding=not closing, notes=notes, author=author,
    )


def log_bulk_write(entries: list[dict], *, today: dt.date) -> None:
    """OnboardingLog rows for many plans with the snapshot fields, in three queries whatever the count.

    Each entry: plan_id, account_id, start, ttv_target, entry_type and optionally log_date, milestone_id,
    escalation_type, notes.
    """
    if not entries:
        return
    plan_ids = {e["plan_id"] for e in entries}
    counts = {pk: (total, done) for pk, total, done in OnboardingPlan.objects.filter(pk__in=plan_ids).annotate(
        total=Count("milestones"), done=Count("milestones", filter=Q(milestones__status=MilestoneStatus.DONE))
    ).values_list("pk", "total", "done")}
    since = today - dt.timedelta(days=EXEC_ENGAGED_WINDOW_DAYS)
    engaged = set(OnboardingLog.objects.filter(plan_id__in=plan_ids, entry_type=OnboardingLog.EntryType.EXEC_TOUCHPOINT,
                                               log_date__gt=since).values_list("plan_id", flat=True))
    engaged |= set(MilestoneItem.objects.filter(plan_id__in=plan_ids, code="M5", status=MilestoneStatus.DONE,
                                                completed_on__gt=since).values_list("plan_id", flat=True))
    now = clock.now()
    OnboardingLog.objects.bulk_create([
        OnboardingLog(account_id=e["account_id"], plan_id=e["plan_id"], log_date=e.get("log_date", today),
                      logged_at=now, entry_type=e["entry_type"], milestone_id=e.get("milestone_id", ""),
                      escalation_type=e.get("escalation_type", ""),
                      ttv_days_elapsed=(e.get("log_date", today) - e["start"]).days, ttv_target_days=e["ttv_target"],
                      milestones_complete=counts[e["plan_id"]][1], milestones_total=counts[e["plan_id"]][0],
                      exec_sponsor_engaged=e["plan_id"] in engaged, in_onboarding=True, notes=e.get("notes", ""))
        for e in entries
    ], batch_size=5000)


def last_activity_on(plan: OnboardingPlan):
    return plan.log_entries.aggregate(at=Max("log_date"))["at"]


def milestone_dates(plan: OnboardingPlan) -> tuple[dict, dict]:
    done, targets = {}, {}
    for item in plan.milestones.all():
        done[item.code] = item.completed_on
        targets[item.code] = item.target_date
    return done, targets
