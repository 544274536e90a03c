"""CSM activity, outreach, customer replies, exec touchpoints and recovery plans — each an OnboardingLog row."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.db import transaction

from gtmos.audit.services import event_record
from gtmos.core import clock
from gtmos.crm.models import Employee

from ..models import Escalation, OnboardingLog, OnboardingPlan
from ..models.plan import PlanStatus
from .alerts import escalations_resolve
from .log import log_write

ACTIVITY_ENTRY = {
    "outreach": OnboardingLog.EntryType.CSM_ACTIVITY,
    "customer_reply": OnboardingLog.EntryType.CSM_ACTIVITY,
    "meeting": OnboardingLog.EntryType.CSM_ACTIVITY,
    "note": OnboardingLog.EntryType.CSM_ACTIVITY,
    "exec_touchpoint": OnboardingLog.EntryType.EXEC_TOUCHPOINT,
    "recovery_plan": OnboardingLog.EntryType.RECOVERY_PLAN,
}


class ActivityError(Exception):
    pass


@transaction.atomic
def activity_log(
    *, plan: OnboardingPlan, kind: str, by: Employee, notes: str = "", on: dt.date | None = None
) -> OnboardingLog:
    """Log what the CSM did or heard. A customer reply resets the unresponsive count; a recovery plan
    stops the 14-day TTV escalation to the SLM. Escalation rules are re-checked after commit."""
    if kind not in ACTIVITY_ENTRY:
        raise ActivityError(f"kind: choose one of {', '.join(ACTIVITY_ENTRY)}")
    if plan.status != PlanStatus.ACTIVE:
        raise ActivityError("plan: activities are logged on active onboarding plans")
    if kind in ("recovery_plan", "exec_touchpoint", "note") and not notes.strip():
        raise ActivityError("notes: describe it (what was agreed, with whom)")
    if on is not None and on > clock.today():
        raise ActivityError(f"on: {on:%Y-%m-%d} is in the future — log what has happened")
    entry_type = ACTIVITY_ENTRY[kind]
    entry = log_write(
        plan=plan,
        entry_type=entry_type,
        activity_kind=kind if entry_type == "csm_activity" else "",
        notes=notes.strip(),
        author=by,
        on=on,
    )
    if kind == "customer_reply":
        escalations_resolve(
            plan=plan,
            kinds=[Escalation.Kind.UNRESPONSIVE, Escalation.Kind.UNRESPONSIVE_SLM],
            resolution="Customer replied",
        )
    if kind == "recovery_plan":
        # The plan answers the current miss (the SLM rule clears); the miss itself stands until back on pace.
        escalations_resolve(plan=plan, kinds=[Escalation.Kind.TTV_MISS_SLM], resolution="Recovery plan logged")
    if kind == "exec_touchpoint":
        escalations_resolve(
            plan=plan, kinds=[Escalation.Kind.EXEC_SPONSOR], resolution="Exec sponsor touchpoint logged"
        )
    event_record(
        type=f"onboarding.{entry_type}",
        subject=plan,
        account_id=plan.account_id,
        actor=by.user,
        payload={"kind": kind, "log_id": entry.pk},
    )
    from .escalations import escalation_scan

    # Escalations fire when the triggering fact is recorded; the daily scan is the backstop.
    # The rules judge the plan as it stands when the scan runs (a back-dated entry changes today's facts).
    transaction.on_commit(partial(escalation_scan, plan_ids=[plan.pk]))
    return entry
