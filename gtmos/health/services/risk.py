"""Churn-risk cases, their playbook tasks and retention plan, and the notices around them."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse

from gtmos.audit.services import event_record, events_bulk_create, notifications_bulk_create
from gtmos.core import clock
from gtmos.crm.models import Account, Employee

from ..explain import warning_signals
from ..models import OPEN_STAGES, ChurnRiskLog, HealthSettings, Playbook, RetentionNote, RetentionTask, RiskStage
from ..scoring import AT_RISK
from ..selectors import playbook_for

DAY = dt.timedelta(days=1)


def _link(account_id: int) -> str:
    return reverse("health:account", args=[account_id])


def _fill(text: str, *, account: str, csm: str) -> str:
    return text.replace("{account}", account).replace("{csm}", csm)


def _tasks_from(
    playbook: Playbook | None, *, case: ChurnRiskLog, csm_id, am_id, today: dt.date, account_name: str, csm_name: str
) -> list[RetentionTask]:
    """The playbook's steps as the case's tasks: owners by role (falling back to the other), templates filled."""
    if playbook is None:
        return []
    owners = {"csm": csm_id or am_id, "am": am_id or csm_id}
    names = {"account": account_name, "csm": csm_name or "Your customer success manager"}
    return [
        RetentionTask(
            case=case,
            account_id=case.account_id,
            step=step,
            kind=step.kind,
            title=step.title,
            detail=step.detail,
            email_subject=_fill(step.email_subject, **names),
            email_body=_fill(step.email_body, **names),
            owner_id=owners[step.owner_role],
            due_on=today + step.due_in_days * DAY,
        )
        for step in playbook.steps.all()
    ]


def after_scoring(
    *, today: dt.date, scored: list, settings: HealthSettings, told_drops: dict[int, int] | None = None
) -> dict[str, int]:
    """Open a case for each account newly in the At-Risk segment; tell the CSM about sharp drops.

    ``told_drops``: accounts whose drop an intraday re-score already told (the score it fell to); the daily
    job tells it again only if the score fell a further ``mover_points`` since."""
    told = told_drops or {}
    at_risk = {s.account_id: s for s in scored if s.tier in AT_RISK}
    drops = {
        s.account_id: s
        for s in scored
        if s.score_change is not None
        and s.score_change <= -settings.mover_points
        and (s.account_id not in told or s.score <= told[s.account_id] - settings.mover_points)
    }
    touched = set(at_risk) | set(drops)
    if not touched:
        return {"cases_opened": 0, "drop_notices": 0}
    people = {
        pk: row
        for pk, *row in Account.objects.filter(pk__in=touched).values_list(
            "pk", "name", "renewal_date", "csm_id", "am_id", "csm__user_id", "am__user_id", "csm__name"
        )
    }
    history = list(ChurnRiskLog.objects.filter(account_id__in=at_risk).values_list("account_id", "stage"))
    blocked = {a for a, stage in history if stage in OPEN_STAGES or stage == RiskStage.LOST}
    had_case = {a for a, _ in history}
    playbooks = list(Playbook.objects.filter(active=True, risk_stage="at_risk").prefetch_related("steps"))

    cases = []
    for account_id, s in at_risk.items():
        # One open case at a time; a lost customer is not reopened; after a recovery a case reopens only
        # when the account newly enters At-Risk, not because it is still there the next morning.
        if account_id in blocked or (account_id in had_case and s.previous_tier in AT_RISK):
            continue
        name, renewal, *_ = people[account_id]
        cases.append(
            ChurnRiskLog(
                account_id=account_id,
                opened_on=today,
                stage=RiskStage.AT_RISK,
                score_at_open=s.score,
                tier_at_open=s.tier,
                tenure_segment=s.result.tenure_segment,
                playbook=playbook_for(tenure=s.result.tenure_segment, stage="at_risk", playbooks=playbooks),
                signals=warning_signals(
                    measures=s.result.measures,
                    inputs=s.result.inputs,
                    score_change=s.score_change,
                    mover_points=settings.mover_points,
                    renewal_date=renewal,
                    today=today,
                ),
            )
        )
    # The partial unique index (one open case per account) makes a concurrent duplicate fail loudly.
    ChurnRiskLog.objects.bulk_create(cases)
    tasks = []
    for case in cases:
        name, _, csm_id, am_id, _, _, csm_name = people[case.account_id]
        tasks += _tasks_from(
            case.playbook,
            case=case,
            csm_id=csm_id,
            am_id=am_id,
            today=today,
            account_name=name,
            csm_name=csm_name or "",
        )
    RetentionTask.objects.bulk_create(tasks)
    events_bulk_create(
        [
            {
                "type": "health.risk_opened",
                "subject_type": "health.churnrisklog",
                "subject_id": str(c.pk),
                "account_id": c.account_id,
                "payload": {
                    "score": c.score_at_open,
                    "tier": c.tier_at_open,
                    "signals": [x["code"] for x in c.signals],
                },
                "idempotency_key": f"health.risk_opened:{c.pk}",
            }
            for c in cases
        ]
    )

    notices = []
    for case in cases:
        name, _, _, _, csm_user, am_user, _ = people[case.account_id]
        for user_id in {csm_user, am_user} - {None}:
            notices.append(
                {
                    "recipient_id": user_id,
                    "rule": "health_at_risk",
                    "link": _link(case.account_id),
                    "title": f"At risk: {name} (score {case.score_at_open}, {case.tier_at_open} risk)",
                    "body": "; ".join(x["detail"] for x in case.signals[:3]),
                    "dedupe_key": f"health.at_risk:{case.pk}:{user_id}",
                }
            )
    for account_id, s in drops.items():
        name, _, _, _, csm_user, _, _ = people[account_id]
        if csm_user is None:
            continue
        why = ", ".join(d["measure"].replace("_", " ") for d in s.drivers[:3])
        notices.append(
            {
                "recipient_id": csm_user,
                "rule": "health_score_drop",
                "link": _link(account_id),
                "title": f"Health fell {-s.score_change} points: {name}",
                "body": f"Now {s.score} ({s.tier} risk). Moved by: {why}.",
                "dedupe_key": f"health.drop:{account_id}:{today.isoformat()}",
            }
        )
    notifications_bulk_create(notices)
    return {"cases_opened": len(cases), "drop_notices": len(drops)}


def overdue_tasks_escalate(*, today: dt.date, settings: HealthSettings) -> int:
    """Retention tasks overdue by the grace period go to the owner's manager, once per task."""
    cutoff = today - settings.task_overdue_escalation_days * DAY
    overdue = list(
        RetentionTask.objects.filter(
            status=RetentionTask.Status.OPEN, due_on__lt=cutoff, escalated_at__isnull=True, case__stage__in=OPEN_STAGES
        ).values_list("pk", "account_id", "account__name", "title", "due_on", "owner__name", "owner__manager__user_id")
    )
    if not overdue:
        return 0
    notifications_bulk_create(
        [
            {
                "recipient_id": manager_user,
                "rule": "health_task_overdue",
                "link": _link(account_id),
                "title": f"Overdue retention task: {account_name}",
                "body": f"{owner or 'Unassigned'}: “{title}” was due {due_on:%d %b}.",
                "dedupe_key": f"health.task_overdue:{pk}",
            }
            for pk, account_id, account_name, title, due_on, owner, manager_user in overdue
            if manager_user
        ]
    )
    return RetentionTask.objects.filter(pk__in=[row[0] for row in overdue], escalated_at__isnull=True).update(
        escalated_at=clock.now()
    )


# --- the CSM's actions ----------------------------------------------------------------------------------

STAGE_ACTIONS = {RiskStage.PLAN_IN_PLACE: "plan_in_place", RiskStage.RECOVERED: "recover", RiskStage.LOST: "lose"}


@transaction.atomic
def risk_stage_move(*, case: ChurnRiskLog, to: str, reason: str, by: Employee, objective: str = "") -> ChurnRiskLog:
    """Move a case to its next stage with a reason. Plan in place needs the retention plan's objective and
    adds the plan-in-place playbook's tasks."""
    if to not in STAGE_ACTIONS:
        raise ValueError(f"to: {to!r} is not a stage a case can move to")
    if not reason.strip():
        raise ValueError("reason: say why the case moves")
    if to == RiskStage.PLAN_IN_PLACE:
        objective = objective.strip() or case.retention_objective
        if not objective:
            raise ValueError("objective: a plan in place needs the retention plan's objective")
        case.retention_objective = objective
    old = case.stage
    getattr(case, STAGE_ACTIONS[to])()
    case.save()
    if not case.is_open:  # the plan is over: what was not done will not be
        RetentionTask.objects.filter(case=case, status=RetentionTask.Status.OPEN).update(
            status=RetentionTask.Status.SKIPPED
        )
    if to == RiskStage.PLAN_IN_PLACE:
        account = case.account
        RetentionTask.objects.bulk_create(
            _tasks_from(
                playbook_for(tenure=case.tenure_segment, stage="plan_in_place"),
                case=case,
                csm_id=account.csm_id,
                am_id=account.am_id,
                today=clock.today(),
                account_name=account.name,
                csm_name=account.csm.name if account.csm else "",
            ),
            ignore_conflicts=True,
        )
    event_record(
        type="health.risk_stage_changed",
        subject=case,
        actor=by.user,
        account_id=case.account_id,
        payload={"from": old, "to": case.stage, "reason": reason.strip(), "by": by.name},
    )
    return case


def retention_task_complete(*, task: RetentionTask, by: Employee, outcome: str) -> RetentionTask:
    """Mark a task done with what came of it; a second click changes nothing."""
    if not outcome.strip():
        raise ValueError("outcome: say what came of it")
    if not task.case.is_open:
        raise ValueError("case: the case is closed; its tasks can no longer change")
    updated = RetentionTask.objects.filter(pk=task.pk, status=RetentionTask.Status.OPEN).update(
        status=RetentionTask.Status.DONE, done_at=clock.now(), done_by=by, outcome=outcome.strip()
    )
    task.refresh_from_db()
    if updated:
        event_record(
            type="health.retention_task_done",
            subject=task.case,
            actor=by.user,
            account_id=task.account_id,
            payload={"task": task.title, "outcome": task.outcome},
        )
    return task


def retention_note_add(*, case: ChurnRiskLog, by: Employee, body: str) -> RetentionNote:
    if not body.strip():
        raise ValueError("body: write what happened")
    if not case.is_open:
        raise ValueError("case: the case is closed")
    return RetentionNote.objects.create(case=case, author=by, body=body.strip())
