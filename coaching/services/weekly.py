"""The weekly run (beat, Mondays): measure every rep as of the week's end, keep the snapshot, and move each
pattern's persistence clock — open (week 1, manager notified), persist, reset on ≥ 10% improvement,
escalate to the SLM at week 3 (automatic), resolve when the gap closes. Then assess skills.

Safe to run twice for the same week: snapshots are replaced, a pattern already moved this week is left
alone, and escalations and notices carry dedupe keys."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction

from gtmos.core import bulk, clock

from .. import metrics, patterns
from ..metrics.base import SKILL
from ..models import CoachingEscalation, CoachingPlay, CoachingSettings, RepCoachingLog, RepMetricSnapshot
from ..recommend import action, diagnosis
from .approval import decider_id
from .batch import batch_run, reads_beside
from .evidence import enrich
from .notify import notify
from .rows import rows_update
from .skills import assess_skills

HISTORY_WEEKS = 8  # weekly values kept on a pattern (the SLM's "full 3-week history" and then some)


def plays() -> dict[tuple[str, str], str]:
    return {(p.role, p.metric): p.action for p in CoachingPlay.objects.filter(active=True)}


@transaction.atomic
@batch_run
def coaching_weekly(*, week: dt.date, reps: dict | None = None) -> dict[str, int]:
    """Run the week ending on ``week`` (a Sunday)."""
    settings = CoachingSettings.load()
    reps = reps if reps is not None else metrics.reps_of(as_of=week, period_days=settings.role_period_days)
    results = metrics.measure(reps, week, settings, beside=reads_beside())
    _snapshot(week, reps, results)
    counts = _move_patterns(week, reps, results, settings)
    counts["skills"] = assess_skills(week=week, reps=reps, results=results)
    return counts


SNAPSHOT_COLUMNS = [
    "rep_id",
    "role",
    "week",
    "metric",
    "value",
    "benchmark",
    "benchmark_kind",
    "breach",
    "sample",
    "evidence",
]
NULL = r"\N"  # COPY's null


def _snapshot(week, reps, results) -> None:
    """COPY (``gtmos.core.bulk``): ~18 rows per rep a week, which model instances would take most of the
    run to build at 2,000 reps."""
    RepMetricSnapshot.objects.filter(week=week).delete()
    day = week.isoformat()
    bulk.insert(
        RepMetricSnapshot,
        SNAPSHOT_COLUMNS,
        (
            (
                rep_id,
                reps[rep_id].role,
                day,
                code,
                r.value,
                r.benchmark,
                r.metric.benchmark,
                r.breach,
                r.sample,
                r.evidence,
            )
            for rep_id, by_code in results.items()
            for code, r in by_code.items()
        ),
        line=_snapshot_line,
    )


def _snapshot_line(row) -> str:
    """One COPY line; the columns' types are known, so no per-value type dispatch (36 k rows at 2,000 reps).
    Codes, roles and kinds are identifiers (no tabs or backslashes); the evidence is JSON (escaped)."""
    rep_id, role, day, code, value, benchmark, kind, breach, sample, evidence = row
    benchmark = NULL if benchmark is None else benchmark
    return (
        f"{rep_id}\t{role}\t{day}\t{code}\t{value}\t{benchmark}\t{kind}\t{'t' if breach else 'f'}\t{sample}\t"
        f"{bulk.copy_json(evidence)}"
    )


def _previous(week, reps, min_weeks) -> tuple[dict, dict]:
    """Per (rep, metric): last week's value, and how many weeks in a row before this one were breaches."""
    since = week - dt.timedelta(weeks=max(min_weeks, 1))
    rows = (
        RepMetricSnapshot.objects.filter(week__gte=since, week__lt=week, rep_id__in=list(reps))
        .values_list("rep_id", "metric", "week", "value", "breach")
        .order_by("-week")
    )
    prev, streak, broken = {}, defaultdict(int), set()
    expected = defaultdict(lambda: week - dt.timedelta(weeks=1))
    for rep_id, code, wk, value, breach in rows:
        key = (rep_id, code)
        if wk == week - dt.timedelta(weeks=1):
            prev[key] = value
        if key in broken or wk != expected[key] or not breach:
            broken.add(key)
            continue
        streak[key] += 1
        expected[key] = wk - dt.timedelta(weeks=1)
    return prev, streak


def _move_patterns(week, reps, results, settings) -> dict[str, int]:
    prev, streak = _previous(week, reps, settings.pattern_min_weeks)
    open_logs = {
        (log.rep_id, log.pattern_key): log
        for log in RepCoachingLog.objects.filter(resolution_date__isnull=True, rep_id__in=list(reps))
    }
    book = plays()
    created, updated, escalated, notices = [], [], [], []
    counts = defaultdict(int)
    for rep_id, by_code in results.items():
        rep = reps[rep_id]
        for code, r in by_code.items():
            if r.metric.section == SKILL:
                continue
            log = open_logs.pop((rep_id, code), None)
            if log is not None and log.last_seen_on >= week:
                continue  # this week already moved the clock (a re-run)
            episode = None if log is None else patterns.Episode(log.weeks_persisting, log.escalated_to_slm)
            run = streak[(rep_id, code)] + r.breach
            d = patterns.decide(
                episode,
                breach=r.breach,
                streak=run,
                prev=prev.get((rep_id, code)),
                value=r.value,
                higher_is_better=r.metric.higher_is_better,
                min_weeks=settings.pattern_min_weeks,
                escalate_after=settings.escalate_after_weeks,
                improvement_pct=settings.improvement_pct,
            )
            counts[d.action] += 1
            point = {"week": week.isoformat(), "value": r.value, "benchmark": r.benchmark, "action": d.action}
            if d.action == patterns.OPEN:
                created.append((rep, r, point, run))
            elif d.action != patterns.NONE:
                _apply(log, d, r, rep, week, point)
                updated.append(log)
                if d.action == patterns.ESCALATE:
                    escalated.append(log)
    # Rows for patterns that vanished from the results (no data this week) stay open and untouched.
    enrich(week, [(rep.id, r) for rep, r, _, _ in created])
    new_logs = [_new_log(rep, r, week, point, book, run) for rep, r, point, run in created]
    RepCoachingLog.objects.bulk_create(new_logs)  # one statement (PostgreSQL inserts through UNNEST)
    rows_update(
        RepCoachingLog,
        updated,
        [
            "weeks_persisting",
            "clock_started_on",
            "last_seen_on",
            "history",
            "escalated_to_slm",
            "escalation_date",
            "resolution_date",
            "improvement_detected",
            "evidence",
        ],
    )
    for log in new_logs:
        rep = reps[log.rep_id]
        notices.append(
            (
                decider_id(rep),
                "coaching_pattern",
                f"Coaching pattern: {rep.name}",
                log.pattern_detected,
                "/coaching/queue/",
                f"coaching:pattern:{log.rep_id}:{log.pattern_key}:{week}",
            )
        )
    notices += _escalate(escalated, reps, week)
    just_escalated = {log.pk for log in escalated}  # a set: `log not in escalated` compared every pair (n²)
    notices += _still_escalated(
        [
            log
            for log in updated
            if log.escalated_to_slm and log.resolution_date is None and log.pk not in just_escalated
        ],
        reps,
        week,
    )
    notify(notices)
    return dict(counts)


def _apply(log, d, r, rep, week, point) -> None:
    log.last_seen_on = week
    log.history = (log.history + [point])[-HISTORY_WEEKS:]
    log.evidence = r.evidence
    if d.action == patterns.RESOLVE:
        log.resolution_date, log.improvement_detected = week, True
    elif d.action == patterns.RESET:
        log.weeks_persisting, log.clock_started_on, log.improvement_detected = 1, week, True
    else:
        log.weeks_persisting = d.weeks_persisting
        if d.action == patterns.ESCALATE:
            log.escalated_to_slm, log.escalation_date = True, week


def _new_log(rep, r, week, point, book, gap_weeks) -> RepCoachingLog:
    text = action(rep.name, rep.role, r, gap_weeks, book)
    return RepCoachingLog(
        rep_id=rep.id,
        role=rep.role,
        coaching_date=week,
        pattern_key=r.code,
        pattern_detected=diagnosis(rep.name, rep.role, r, gap_weeks),
        recommended_action=text,
        drafted_action=text,
        clock_started_on=week,
        weeks_persisting=1,
        last_seen_on=week,
        history=[point],
        evidence=r.evidence,
        created_at=clock.now(),
    )


def _grouped(items, *, rule: str, one: str, many: str, key: str) -> list[tuple]:
    """One notice per recipient for the week: (recipient, rep name, text) items → notify rows. An SLM with
    sixty reps hears once a week, with the list, instead of once per pattern; the escalations page holds
    each pattern's summary and history."""
    by_who = defaultdict(list)
    for who, name, text in items:
        if who:
            by_who[who].append((name, text))
    return [
        (
            who,
            rule,
            one.format(rep=got[0][0]) if len(got) == 1 else many.format(n=len(got)),
            " ".join(text for _, text in got[:5]) + (f" (+{len(got) - 5} more)" if len(got) > 5 else ""),
            "/coaching/escalations/",
            f"{key}:{who}",
        )
        for who, got in by_who.items()
    ]


def _escalate(logs, reps, week) -> list[tuple]:
    """Week 3: the SLM gets the pattern and its history; the manager is told (DESIGN). No manager action
    can stop this — it reads only the clock."""
    rows, items = [], []
    for log in logs:
        rep = reps[log.rep_id]
        summary = f"{rep.name}: {log.pattern_detected} Unchanged for {log.weeks_persisting} weeks."
        rows.append(
            CoachingEscalation(
                rep_id=rep.id,
                kind=CoachingEscalation.Kind.PERSISTENCE,
                to_manager=True,
                to_slm=True,
                fired_on=week,
                summary=summary,
                coaching_log=log,
                history=log.history,
                dedupe_key=f"persistence:{log.pk}:{log.escalation_date}",
            )
        )
        for who in {rep.slm_id, rep.manager_id}:
            items.append((who, rep.name, summary))
    CoachingEscalation.objects.bulk_create(rows, ignore_conflicts=True)
    return _grouped(
        items,
        rule="coaching_escalation",
        one="Escalated to SLM: {rep}",
        many="{n} coaching patterns escalated to the SLM",
        key=f"coaching:escalation:{week}",
    )


def _still_escalated(logs, reps, week) -> list[tuple]:
    """Post-escalation the agent keeps monitoring and tells the SLM the pattern persists."""
    return _grouped(
        [
            (
                reps[log.rep_id].slm_id,
                reps[log.rep_id].name,
                f"{reps[log.rep_id].name}: {log.pattern_detected} Week {log.weeks_persisting} since the clock started.",
            )
            for log in logs
        ],
        rule="coaching_escalation_persists",
        one="Still persisting: {rep}",
        many="{n} escalated patterns still persisting",
        key=f"coaching:persists:{week}",
    )
