"""The monthly digest (first business day, for the prior month): the rep's coaching artifact and the
manager's pattern roll-up, frozen as data, shown as pages and sent as HTML email.

The rep's digest carries only recommendations a manager approved (or approved with changes) that no
earlier digest delivered; pending and dismissed ones never reach it."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db import transaction
from django.db.models import Q

from gtmos.core.commit import after_commit

from .. import metrics
from ..calendar import is_first_business_day, month_end, parse_holidays, prior_month
from ..metrics.base import SUMMARY
from ..metrics.registry import label
from ..models import CoachingEscalation, CoachingSettings, DailyFlag, Digest, RepCoachingLog, RepSkillAssessmentLog
from ..models.log import DELIVERABLE
from ..recommend import BENCH_WORDS
from .rows import rows_update


def coaching_monthly(*, today: dt.date) -> dict[str, int]:
    """Beat calls this daily; it works only on the month's first business day."""
    settings = CoachingSettings.load()
    if not is_first_business_day(today, parse_holidays(settings.holidays)):
        return {"digests": 0}
    return digests_generate(month=prior_month(today), generated_on=today)


@transaction.atomic
def digests_generate(*, month: dt.date, generated_on: dt.date, reps: dict | None = None) -> dict[str, int]:
    settings = CoachingSettings.load()
    reps = reps if reps is not None else metrics.reps_of()
    done = set(Digest.objects.filter(month=month).values_list("employee_id", "kind"))
    todo = {i: r for i, r in reps.items() if (i, Digest.Kind.REP) not in done}
    last = month_end(month)
    # Benchmarks need the whole cohort even when only some digests are missing (a partial re-run).
    results = metrics.measure(reps, last, settings) if todo else {}
    in_month = Q(coaching_date__lte=last) & (Q(resolution_date__isnull=True) | Q(resolution_date__gte=month))
    logs = defaultdict(list)
    for log in (RepCoachingLog.objects.filter(in_month, rep_id__in=list(reps)).select_related("approved_by")
                .order_by("coaching_date")):
        logs[log.rep_id].append(log)
    skills = defaultdict(dict)
    for s in RepSkillAssessmentLog.objects.filter(rep_id__in=list(todo), assessment_date__gte=month,
                                                  assessment_date__lte=last).order_by("assessment_date"):
        skills[s.rep_id][s.skill_dimension] = s  # ascending: the month's last assessment wins
    rows, delivered = [], defaultdict(list)
    for rep_id, rep in todo.items():
        content, ids = _rep_content(rep, month, results.get(rep_id, {}), logs[rep_id], skills[rep_id])
        rows.append(Digest(employee_id=rep_id, kind=Digest.Kind.REP, month=month, generated_on=generated_on,
                           content=content))
        delivered[rep_id] = ids
    rows += _manager_digests(reps, month, last, generated_on, logs, done)
    Digest.objects.bulk_create(rows)  # one statement whatever the number of reps (UNNEST on PostgreSQL)
    by_rep = {d.employee_id: d.pk for d in Digest.objects.filter(month=month, kind=Digest.Kind.REP,
                                                                 employee_id__in=list(delivered))}
    updates = [RepCoachingLog(pk=pk, delivered_in_id=by_rep[rep_id]) for rep_id, ids in delivered.items() for pk in ids]
    rows_update(RepCoachingLog, updates, ["delivered_in"])
    from ..tasks import coaching_digest_emails  # tasks import services

    after_commit(coaching_digest_emails.delay, month=month.isoformat())
    return {"digests": len(rows), "recommendations": len(updates)}


def _metric_row(role, r) -> dict:
    return {"code": r.code, "label": label(role, r.code), "value": r.value, "benchmark": r.benchmark,
            "unit": r.metric.unit, "against": BENCH_WORDS.get(r.metric.benchmark, r.metric.benchmark),
            "status": "critical" if r.critical else "gap" if r.breach else "ok", "higher_is_better": r.metric.higher_is_better}


def _rep_content(rep, month, results, logs, skills) -> tuple[dict, list[int]]:
    approved = [log for log in logs if log.approval_status in DELIVERABLE and log.delivered_in_id is None]
    content = {
        "rep": {"id": rep.id, "name": rep.name, "role": rep.role},
        "month": month.isoformat(),
        "summary": [_metric_row(rep.role, r) for r in results.values() if r.metric.section == SUMMARY],
        "actions": [{"id": log.pk, "pattern": log.pattern_detected, "action": log.recommended_action,
                     "weeks": log.weeks_persisting, "since": log.coaching_date.isoformat(),
                     "approved_by": log.approved_by.name if log.approved_by else "",
                     "modified": log.approval_status == "modified"} for log in approved],
        "skills": [{"dimension": s.get_skill_dimension_display(), "gap": s.gap_detected, "severity": s.severity,
                    "trend": s.trend, "percentile": s.cohort_percentile} for s in skills.values()],
    }
    return content, [log.pk for log in approved]


def _manager_digests(reps, month, last, generated_on, logs, done) -> list[Digest]:
    """Per manager: patterns across the book (not individual rep detail), escalations and flags."""
    team = defaultdict(list)
    for rep in reps.values():
        if rep.manager_id and (rep.manager_id, Digest.Kind.MANAGER) not in done:
            team[rep.manager_id].append(rep)
    if not team:
        return []
    flags = Counter(DailyFlag.objects.filter(day__gte=month, day__lte=last, rep_id__in=list(reps))
                    .values_list("rep_id", flat=True))
    escalations = defaultdict(list)
    for e in CoachingEscalation.objects.filter(fired_on__gte=month, fired_on__lte=last, rep_id__in=list(reps)):
        escalations[e.rep_id].append(e)
    rows = []
    for manager_id, members in team.items():
        by_pattern, per_rep = defaultdict(lambda: {"reps": 0, "escalated": 0}), []
        for rep in members:
            mine = logs[rep.id]
            for log in mine:
                cell = by_pattern[label(rep.role, log.pattern_key)]
                cell["reps"] += 1
                cell["escalated"] += log.escalated_to_slm
            per_rep.append({"id": rep.id, "name": rep.name, "role": rep.role, "patterns": len(mine),
                            "new": sum(log.coaching_date >= month for log in mine),
                            "escalated": sum(log.escalated_to_slm for log in mine),
                            "pending": sum(log.approval_status == "pending_approval" for log in mine),
                            "flags": flags[rep.id], "escalations": len(escalations[rep.id])})
        content = {"month": month.isoformat(), "reps": per_rep,
                   "patterns": sorted(({"label": k, **v} for k, v in by_pattern.items()), key=lambda p: -p["reps"]),
                   "escalations": [{"rep": reps[e.rep_id].name, "kind": e.get_kind_display(), "summary": e.summary,
                                    "on": e.fired_on.isoformat()} for rep in members for e in escalations[rep.id]]}
        rows.append(Digest(employee_id=manager_id, kind=Digest.Kind.MANAGER, month=month, generated_on=generated_on,
                           content=content))
    return rows
