"""The monthly digest (first business day, for the prior month): the rep's coaching artifact and the
manager's pattern roll-up, frozen as data, shown as pages and sent as HTML email.

The rep's digest carries only recommendations a manager approved (or approved with changes) that no
earlier digest delivered; pending and dismissed ones never reach it."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from statistics import median

from django.db import transaction
from django.db.models import Q

from gtmos.core import bulk
from gtmos.core.commit import after_commit

from .. import metrics, report
from ..calendar import is_first_business_day, month_end, parse_holidays, prior_month
from ..metrics.registry import label
from ..models import (
    CoachingEscalation,
    CoachingSettings,
    DailyFlag,
    Digest,
    RepCoachingLog,
    RepMetricSnapshot,
    RepSkillAssessmentLog,
)
from ..models.log import DELIVERABLE
from ..recommend import BENCH_WORDS
from .batch import batch_run, reads_beside
from .rows import rows_update

DIGEST_COLUMNS = ("employee_id", "kind", "month", "generated_on", "content")


def coaching_monthly(*, today: dt.date) -> dict[str, int]:
    """Beat calls this daily; it works only on the month's first business day."""
    settings = CoachingSettings.load()
    if not is_first_business_day(today, parse_holidays(settings.holidays)):
        return {"digests": 0}
    return digests_generate(month=prior_month(today), generated_on=today)


@transaction.atomic
@batch_run
def digests_generate(*, month: dt.date, generated_on: dt.date, reps: dict | None = None) -> dict[str, int]:
    settings = CoachingSettings.load()
    last = month_end(month)
    # The month is measured in the role each rep held in it (RepActivity up to the month's last day).
    reps = reps if reps is not None else metrics.reps_of(as_of=last, period_days=settings.role_period_days)
    done = set(Digest.objects.filter(month=month).values_list("employee_id", "kind"))
    todo = {i: r for i, r in reps.items() if (i, Digest.Kind.REP) not in done}
    managers_todo = {r.manager_id for r in reps.values() if r.manager_id} - {
        e for e, k in done if k == Digest.Kind.MANAGER
    }
    # Benchmarks need the whole cohort even when only some digests are missing (a partial re-run).
    results = metrics.measure(reps, last, settings, beside=reads_beside()) if todo or managers_todo else {}
    in_month = Q(coaching_date__lte=last) & (Q(resolution_date__isnull=True) | Q(resolution_date__gte=month))
    logs, deliverable = defaultdict(list), defaultdict(list)
    # The managers' roll-up only counts patterns: five columns as named rows, not model instances (their FSM
    # state, JSON history and approver join were ~10% of the digest run's client time at 2,000 reps, profiled).
    for log in (
        RepCoachingLog.objects.filter(in_month, rep_id__in=list(reps))
        .order_by("coaching_date", "pk")  # pk: a stable order among one day's logs
        .values_list("rep_id", "pattern_key", "coaching_date", "escalated_to_slm", "approval_status", named=True)
    ):
        logs[log.rep_id].append(log)
    # Seed 001: an approved recommendation is surfaced in the next monthly digest — whenever it was flagged, and
    # even if its pattern resolved since (the digest says so).
    for log in (
        RepCoachingLog.objects.filter(rep_id__in=list(todo), approval_status__in=DELIVERABLE, delivered_in__isnull=True)
        .order_by("coaching_date", "pk")
        .values_list("rep_id", "approved_by__name", *report.ACTION_FIELDS, named=True)
    ):
        deliverable[log.rep_id].append(log)
    skills = defaultdict(list)
    # Named rows, not instances: ~20 a rep (weeks × dimensions), 200,000 instances at 10,000 reps.
    for s in (
        RepSkillAssessmentLog.objects.filter(
            rep_id__in=list(todo), assessment_date__gte=month, assessment_date__lte=last
        )
        .order_by("assessment_date")
        .values_list("rep_id", *report.SKILL_FIELDS, named=True)
    ):
        skills[s.rep_id].append(s)  # ascending: the month's last assessment per dimension is the row shown
    streaks = report.breach_streaks(
        RepMetricSnapshot.objects.filter(
            rep_id__in=list(todo), week__lte=last, week__gt=last - dt.timedelta(weeks=report.STREAK_WEEKS)
        )
        .order_by("-week")
        .values_list("rep_id", "metric", "week", "breach")
    )
    rows, delivered = [], defaultdict(list)
    for rep_id, rep in todo.items():
        content, ids = _rep_content(rep, month, results.get(rep_id, {}), deliverable[rep_id], skills[rep_id], streaks)
        rows.append(
            Digest(employee_id=rep_id, kind=Digest.Kind.REP, month=month, generated_on=generated_on, content=content)
        )
        delivered[rep_id] = ids
    rows += _manager_digests(reps, month, last, generated_on, logs, done, results)
    # One COPY (orjson): the digests are the run's largest write (~10 kB of JSON each), and building model
    # instances and json-encoding them for an UNNEST insert was its slowest statement at 2,500 reps.
    bulk.insert(Digest, DIGEST_COLUMNS, ((d.employee_id, d.kind, d.month, d.generated_on, d.content) for d in rows))
    by_rep = {
        d.employee_id: d.pk
        for d in Digest.objects.filter(month=month, kind=Digest.Kind.REP, employee_id__in=list(delivered))
    }
    updates = [RepCoachingLog(pk=pk, delivered_in_id=by_rep[rep_id]) for rep_id, ids in delivered.items() for pk in ids]
    rows_update(RepCoachingLog, updates, ["delivered_in"])
    from ..tasks import coaching_digest_emails  # tasks import services

    after_commit(coaching_digest_emails.delay, month=month.isoformat())
    return {"digests": len(rows), "recommendations": len(updates)}


def _rep_content(rep, month, results, approved, assessments, streaks) -> tuple[dict, list[int]]:
    actions = [
        report.action_row(
            log,
            status_text=f"Approved by {log.approved_by__name}" if log.approved_by__name else "Approved",
            approver=log.approved_by__name or "",
        )
        for log in approved
    ]
    content = report.skeleton(
        rep=rep,
        period=month.isoformat(),
        results=results,
        streaks=streaks,
        actions=actions,
        skills=report.skill_rows(assessments),
    )
    return content, [log.pk for log in approved]


def _manager_digests(reps, month, last, generated_on, logs, done, results) -> list[Digest]:
    """Per manager, seed 001's "monthly pattern summary (roll-up across their book, not individual rep
    detail)": patterns and metrics counted across the reps they manage, escalations and flags by kind.
    Names stay out; the on-demand view (linked from the page) is where one rep's detail lives."""
    team = defaultdict(list)
    for rep in reps.values():
        if rep.manager_id and (rep.manager_id, Digest.Kind.MANAGER) not in done:
            team[rep.manager_id].append(rep)
    if not team:
        return []
    flags = Counter(
        DailyFlag.objects.filter(day__gte=month, day__lte=last, rep_id__in=list(reps)).values_list("rep_id", flat=True)
    )
    escalations = defaultdict(Counter)
    for rep_id, kind in CoachingEscalation.objects.filter(
        fired_on__gte=month, fired_on__lte=last, rep_id__in=list(reps)
    ).values_list("rep_id", "kind"):
        escalations[rep_id][kind] += 1
    rows = []
    for manager_id, members in team.items():
        by_pattern = defaultdict(Counter)
        by_metric: dict[tuple, dict] = {}
        kinds = Counter()
        for rep in members:
            for log in logs[rep.id]:
                cell = by_pattern[(rep.role, log.pattern_key)]
                cell["reps"] += 1
                cell["new"] += log.coaching_date >= month
                cell["escalated"] += log.escalated_to_slm
                cell["pending"] += log.approval_status == "pending_approval"
                cell["approved"] += log.approval_status in DELIVERABLE
            for code, r in results.get(rep.id, {}).items():
                m = by_metric.setdefault(
                    (rep.role, code),
                    {
                        "role": rep.role,
                        "code": code,
                        "label": label(rep.role, code),
                        "unit": r.metric.unit,
                        "section": r.metric.section,
                        "against": BENCH_WORDS.get(r.metric.benchmark, r.metric.benchmark),
                        "measured": 0,
                        "gaps": 0,
                        "critical": 0,
                        "values": [],
                    },
                )
                m["measured"] += 1
                m["gaps"] += r.breach
                m["critical"] += r.critical
                m["values"].append(r.value)
            kinds.update(escalations[rep.id])
        metric_rows = []
        for m in by_metric.values():
            values = m.pop("values")
            metric_rows.append({**m, "median": round(median(values), 2)})
        content = {
            "month": month.isoformat(),
            "team_size": len(members),
            "patterns": sorted(
                (
                    {"role": role, "code": code, "label": label(role, code), **cell}
                    for (role, code), cell in by_pattern.items()
                ),
                key=lambda p: (-p["escalated"], -p["reps"], p["label"]),
            ),
            "metrics": sorted(metric_rows, key=lambda m: (-m["critical"], -m["gaps"], m["role"], m["label"])),
            "escalations": [{"kind": CoachingEscalation.Kind(k).label, "count": n} for k, n in kinds.most_common()],
            "flags": sum(flags[rep.id] for rep in members),
        }
        rows.append(
            Digest(
                employee_id=manager_id,
                kind=Digest.Kind.MANAGER,
                month=month,
                generated_on=generated_on,
                content=content,
            )
        )
    return rows
