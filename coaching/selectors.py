"""Reads for the coaching pages. Every one goes through a model family's ``visible_to(user)``; a rep's own
view is the digest (approved recommendations only) — everything else is for their managers and SLM."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from gtmos.core import clock
from gtmos.crm import access
from gtmos.crm.models import Employee
from gtmos.crm.models.people import REP_ROLES

from . import metrics, report
from .metrics.ae import accuracy_by_rep
from .metrics.registry import label
from .models import (
    ApprovalStatus,
    CoachingEscalation,
    CoachingSettings,
    DailyFlag,
    Digest,
    RepCoachingLog,
    RepMetricSnapshot,
    RepSkillAssessmentLog,
)

DECIDED_DAYS = 30


def queue(*, user) -> dict:
    """The manager's approval queue: their own direct reports, and for an SLM the reps without a manager."""
    if access.employee_of(user) is None:
        return {"pending": [], "decided": []}
    mine = queue_logs(user=user)
    since = clock.now() - dt.timedelta(days=DECIDED_DAYS)
    return {
        "pending": list(mine.filter(approval_status=ApprovalStatus.PENDING).order_by("-weeks_persisting", "rep__name")),
        "decided": list(
            mine.exclude(approval_status=ApprovalStatus.PENDING)
            .filter(decided_at__gte=since)
            .select_related("approved_by")
            .order_by("-decided_at")[:50]
        ),
    }


def queue_logs(*, user):
    """The logs in the user's approval queue (their direct reports'; for an SLM also the reps without a
    manager), with each rep. Nobody's without an Employee record."""
    me = access.employee_of(user)
    if me is None:
        return RepCoachingLog.objects.none()
    return (
        RepCoachingLog.objects.visible_to(user)
        .filter(Q(rep__manager_id=me.pk) | Q(rep__manager__isnull=True, rep__slm_id=me.pk))
        .select_related("rep")
    )


def team(*, user) -> list[Employee]:
    """Reps the user may coach, with their open patterns, escalations, pending decisions and open flags."""
    me = access.employee_of(user)
    qs = Employee.objects.visible_to(user).filter(role__in=REP_ROLES, is_active=True)
    if me is not None:
        qs = qs.exclude(pk=me.pk)
    open_ = Q(coaching_log__resolution_date__isnull=True)
    return list(
        qs.select_related("manager")
        .annotate(
            patterns=Count("coaching_log", filter=open_, distinct=True),
            escalated=Count("coaching_log", filter=open_ & Q(coaching_log__escalated_to_slm=True), distinct=True),
            pending=Count(
                "coaching_log", filter=Q(coaching_log__approval_status=ApprovalStatus.PENDING), distinct=True
            ),
            flags=Count("coaching_flags", filter=Q(coaching_flags__cleared_on__isnull=True), distinct=True),
        )
        .order_by("-escalated", "-patterns", "name")
    )


def coachable_rep(*, user, pk: int) -> Employee:
    """A rep the user manages (any level), SLMs or RevOps; the rep themself and strangers: DoesNotExist."""
    me = access.employee_of(user)
    qs = Employee.objects.visible_to(user).filter(role__in=REP_ROLES).select_related("manager", "slm")
    if me is not None:
        qs = qs.exclude(pk=me.pk)
    return qs.get(pk=pk)


def on_demand(*, rep: Employee, as_of: dt.date | None = None) -> dict:
    """Seed 001's manager on-demand view: the digest's format, computed now. Benchmarks need the role's
    whole cohort, so the role is measured together (a fixed number of queries)."""
    as_of = as_of or clock.today()
    settings = CoachingSettings.load()
    everyone = metrics.reps_of(as_of=as_of, period_days=settings.role_period_days)
    role = everyone[rep.pk].role if rep.pk in everyone else rep.role
    cohort = {i: r for i, r in everyone.items() if r.role == role}
    results = metrics.measure(cohort, as_of, settings).get(rep.pk, {})
    logs = list(
        RepCoachingLog.objects.filter(rep=rep)
        .filter(Q(resolution_date__isnull=True) | Q(resolution_date__gte=as_of - dt.timedelta(days=90)))
        .select_related("approved_by")
        .order_by("-coaching_date")
    )
    streaks = report.breach_streaks(
        RepMetricSnapshot.objects.filter(
            rep=rep, week__lte=as_of, week__gt=as_of - dt.timedelta(weeks=report.STREAK_WEEKS)
        )
        .order_by("-week")
        .values_list("rep_id", "metric", "week", "breach")
    )
    assessments = RepSkillAssessmentLog.objects.filter(
        rep=rep, assessment_date__gte=as_of - dt.timedelta(weeks=12), assessment_date__lte=as_of
    ).order_by("assessment_date")
    actions = [
        report.action_row(log, status_text=_status_text(log), approver=log.approved_by.name if log.approved_by else "")
        for log in logs
        if log.resolution_date is None
    ]
    content = report.skeleton(
        rep=metrics.Rep(rep.pk, rep.name, role, rep.segment, rep.manager_id, rep.slm_id),
        period=as_of.isoformat(),
        results=results,
        streaks=streaks,
        actions=actions,
        skills=report.skill_rows(assessments),
    )
    return {
        "as_of": as_of,
        "c": content,
        "patterns": logs,
        "flags": list(DailyFlag.objects.filter(rep=rep).order_by("-day")[:20]),
        "escalations": list(CoachingEscalation.objects.filter(rep=rep).order_by("-fired_at")[:20]),
    }


def _status_text(log: RepCoachingLog) -> str:
    who = f" by {log.approved_by.name}" if log.approved_by else ""
    status = {
        ApprovalStatus.PENDING: "Waiting for the manager's decision — the rep does not see it yet",
        ApprovalStatus.APPROVED: f"Approved{who}",
        ApprovalStatus.MODIFIED: f"Approved{who}",
        ApprovalStatus.DISMISSED: f"Dismissed{who}: never shown to the rep",
    }[log.approval_status]
    delivered = " · delivered in a digest" if log.delivered_in_id else ""
    return f"{status}{delivered} · week {log.weeks_persisting}"


def digests(*, user) -> list[Digest]:
    me = access.employee_of(user)
    if me is None:
        return []
    return list(Digest.objects.visible_to(user).filter(employee=me).order_by("-month", "kind"))


def digest_get(*, user, pk: int) -> Digest:
    return Digest.objects.visible_to(user).select_related("employee").get(pk=pk)


def escalations(*, user) -> list[CoachingEscalation]:
    return list(
        CoachingEscalation.objects.visible_to(user)
        .select_related("rep", "rep__manager", "coaching_log", "requested_by")
        .order_by("resolved_at", "-fired_at")[:200]
    )


def flags(*, user) -> list[DailyFlag]:
    since = clock.today() - dt.timedelta(days=30)
    return list(
        DailyFlag.objects.visible_to(user)
        .filter(Q(cleared_on__isnull=True) | Q(day__gte=since))
        .select_related("rep")
        .order_by("cleared_on", "-day")[:200]
    )


def forecast_accuracy(*, user=None, as_of: dt.date | None = None) -> list[dict]:
    """AGT-703's input: per AE/AM, commit vs closed for the last ended period, as its own output. ``user``
    None is the forecast consumer (an integration): every AE and AM. Least accurate first."""
    as_of = as_of or clock.today()
    reps = Employee.objects.filter(role__in=("ae", "am"))
    names = dict((reps if user is None else reps.visible_to(user)).values_list("pk", "name"))
    rows = [
        {"rep_id": rep_id, "rep": names[rep_id], "accuracy_pct": r.value, **r.evidence}
        for rep_id, r in accuracy_by_rep(list(names), as_of).items()
    ]
    return sorted(rows, key=lambda row: (row["accuracy_pct"], row["rep_id"]))


def review(*, user, as_of: dt.date | None = None) -> dict:
    """WBR (team-level patterns this week) and MBR (persistent gaps and escalations this month)."""
    as_of = as_of or clock.today()
    week_ago, month_ago = as_of - dt.timedelta(days=7), as_of - dt.timedelta(days=31)
    logs = RepCoachingLog.objects.visible_to(user).select_related("rep", "rep__manager")
    live = logs.filter(Q(resolution_date__isnull=True) | Q(resolution_date__gte=week_ago))
    wbr = {}
    for log in live.filter(last_seen_on__gte=week_ago):
        team_name = log.rep.manager.name if log.rep.manager else "No manager"
        cell = wbr.setdefault(
            (team_name, label(log.role, log.pattern_key)), {"new": 0, "persisting": 0, "escalated": 0}
        )
        cell["new" if log.coaching_date >= week_ago else "persisting"] += 1
        cell["escalated"] += log.escalated_to_slm
    persistent = list(
        logs.filter(Q(weeks_persisting__gte=2) | Q(escalated_to_slm=True))
        .filter(Q(resolution_date__isnull=True) | Q(resolution_date__gte=month_ago))
        .order_by("-weeks_persisting")[:100]
    )
    escalated = list(
        CoachingEscalation.objects.visible_to(user)
        .filter(fired_on__gte=month_ago)
        .select_related("rep")
        .order_by("-fired_on")[:100]
    )
    return {
        "as_of": as_of,
        "wbr": sorted(
            ({"team": k[0], "pattern": k[1], **v} for k, v in wbr.items()),
            key=lambda row: (row["team"], -row["escalated"], row["pattern"]),
        ),
        "persistent": persistent,
        "escalations": escalated,
    }
