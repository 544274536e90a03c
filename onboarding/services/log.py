"""OnboardingLog is written continuously: every milestone, activity, exec touchpoint, escalation, close."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from gtmos.core import clock

from ..models import MilestoneItem, OnboardingLog, OnboardingPlan
from ..models.plan import MilestoneStatus

EXEC_ENGAGED_WINDOW_DAYS = 30


def log_write(
    *,
    plan: OnboardingPlan,
    entry_type: str,
    notes: str = "",
    milestone_id: str = "",
    escalation_type: str = "",
    activity_kind: str = "",
    author=None,
    on: dt.date | None = None,
) -> OnboardingLog:
    """One log row; the snapshot fields follow the same rule as the bulk writer (it is the bulk writer)."""
    on = on or clock.today()
    return log_bulk_write(
        [
            {
                "plan_id": plan.pk,
                "account_id": plan.account_id,
                "start": plan.contract_start_date or on,
                "ttv_target": plan.map.ttv_target_days or 0,
                "entry_type": entry_type,
                "log_date": on,
                "notes": notes,
                "milestone_id": milestone_id,
                "escalation_type": escalation_type,
                "activity_kind": activity_kind,
                "author": author,
            }
        ],
        today=on,
    )[0]


def log_bulk_write(entries: list[dict], *, today: dt.date) -> list[OnboardingLog]:
    """OnboardingLog rows for many plans with the snapshot fields, in three queries whatever the count.

    Each entry: plan_id, account_id, start, ttv_target, entry_type and optionally log_date, milestone_id,
    escalation_type, activity_kind, author, notes. "Exec sponsor engaged" means an exec touchpoint or M5 done
    in the 30 days before ``today``.
    """
    if not entries:
        return []
    plan_ids = {e["plan_id"] for e in entries}
    counts = {
        pk: (total, done)
        for pk, total, done in OnboardingPlan.objects.filter(pk__in=plan_ids)
        .annotate(
            total=Count("milestones"), done=Count("milestones", filter=Q(milestones__status=MilestoneStatus.DONE))
        )
        .values_list("pk", "total", "done")
    }
    since = today - dt.timedelta(days=EXEC_ENGAGED_WINDOW_DAYS)
    engaged = set(
        OnboardingLog.objects.filter(
            plan_id__in=plan_ids, entry_type=OnboardingLog.EntryType.EXEC_TOUCHPOINT, log_date__gt=since
        ).values_list("plan_id", flat=True)
    )
    engaged |= set(
        MilestoneItem.objects.filter(
            plan_id__in=plan_ids, code="M5", status=MilestoneStatus.DONE, completed_on__gt=since
        ).values_list("plan_id", flat=True)
    )
    now = clock.now()
    rows = []
    for e in entries:
        log_date = e.get("log_date", today)
        closing = e["entry_type"] == OnboardingLog.EntryType.CLOSE
        rows.append(
            OnboardingLog(
                account_id=e["account_id"],
                plan_id=e["plan_id"],
                log_date=log_date,
                logged_at=now,
                entry_type=e["entry_type"],
                activity_kind=e.get("activity_kind", ""),
                milestone_id=e.get("milestone_id", ""),
                escalation_type=e.get("escalation_type", ""),
                onboarding_status="complete" if closing else "active",
                in_onboarding=not closing,
                ttv_days_elapsed=(log_date - e["start"]).days,
                ttv_target_days=e["ttv_target"],
                milestones_complete=counts[e["plan_id"]][1],
                milestones_total=counts[e["plan_id"]][0],
                exec_sponsor_engaged=e["plan_id"] in engaged,
                notes=e.get("notes", ""),
                author=e.get("author"),
            )
        )
    return OnboardingLog.objects.bulk_create(rows, batch_size=5000)
