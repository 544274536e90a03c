"""Seed 001's output skeleton, one shape for the rep's monthly digest and the manager's on-demand view:
performance summary → pattern diagnosis → skill gaps → recommended actions, each section with its chart.

Every summary and diagnosis metric of the rep's role is listed (a metric without enough data says so), and each
diagnosis row says what was observed — "Stage 2→3 conversion (Discovery → Demo): 20% against the segment
benchmark of 38% — 18 pts below for 4 weeks" — with the weeks counted from the weekly snapshots. Pure: the
caller reads the data (in bulk) and the result is plain JSON, frozen into a Digest."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from .metrics.base import DIAGNOSIS, SUMMARY
from .metrics.registry import REGISTRY, label
from .metrics.units import fmt
from .models.skills import SkillDimension
from .recommend import BENCH_WORDS

STREAK_WEEKS = 8  # how far back the weekly snapshots are read to count a gap's consecutive weeks


def breach_streaks(snapshots) -> dict[tuple[int, str], int]:
    """(rep, metric) → consecutive weekly breaches ending at that metric's latest snapshot. ``snapshots``:
    (rep_id, metric, week, breach) rows, newest week first."""
    streak, latest, broken = defaultdict(int), {}, set()
    for rep_id, code, week, breach in snapshots:
        key = (rep_id, code)
        if key in broken:
            continue
        expected = latest.get(key)
        if (expected is not None and week != expected) or not breach:
            broken.add(key)
            continue
        streak[key] += 1
        latest[key] = week - dt.timedelta(weeks=1)
    return dict(streak)


def _gap_words(r) -> str:
    unit = "pts" if r.metric.unit == "%" else r.metric.unit
    return f"{fmt(abs(r.gap or 0), unit)} {'below' if r.metric.higher_is_better else 'above'}"


def observed(role: str, r, weeks: int) -> str:
    """What the agent observed, in the seed's words: the metric, its value against the benchmark, the gap and
    how long it has held."""
    name, bench = label(role, r.code), BENCH_WORDS.get(r.metric.benchmark, r.metric.benchmark)
    head = f"{name}: {fmt(r.value, r.metric.unit)} against the {bench} of {fmt(r.benchmark, r.metric.unit)}"
    if r.benchmark is None:
        return f"{name}: {fmt(r.value, r.metric.unit)} (no benchmark yet: too few peers)"
    if not r.breach:
        return f"{head} — on benchmark"
    span = f"for {weeks} consecutive weeks" if weeks > 1 else "this week" if weeks == 1 else "at the month's end"
    return f"{head} — {_gap_words(r)} {span}"


def _row(role: str, r, weeks: int) -> dict:
    return {
        "code": r.code,
        "label": label(role, r.code),
        "value": r.value,
        "benchmark": r.benchmark,
        "unit": r.metric.unit,
        "against": BENCH_WORDS.get(r.metric.benchmark, r.metric.benchmark),
        "status": "critical" if r.critical else "gap" if r.breach else "ok",
        "weeks": weeks,
        "higher_is_better": r.metric.higher_is_better,
        "observed": observed(role, r, weeks),
    }


def _section(role: str, section: str, results: dict, streaks: dict, rep_id: int) -> list[dict]:
    """Every metric of the role in this section: measured ones (gaps first), then the families with no data."""
    # The daily-flag count is the manager's (seed 001: "Rep does not receive daily flags"): never in the skeleton.
    rows = [
        _row(role, r, streaks.get((rep_id, code), 0))
        for code, r in results.items()
        if r.metric.section == section and code != "daily_flags"
    ]
    rows.sort(key=lambda row: ({"critical": 0, "gap": 1, "ok": 2}[row["status"]], -row["weeks"], row["label"]))
    measured = {row["code"].split(":", 1)[0] for row in rows}
    rows += [
        {
            "code": m.code,
            "label": m.label,
            "value": None,
            "benchmark": None,
            "unit": m.unit,
            "against": BENCH_WORDS.get(m.benchmark, m.benchmark),
            "status": "no_data",
            "weeks": 0,
            "higher_is_better": m.higher_is_better,
            "observed": f"{m.label}: not enough data this period",
        }
        for m in REGISTRY.get(role, {}).values()
        if m.section == section and m.code not in measured and m.code != "daily_flags"
    ]
    return rows


def skeleton(*, rep, period: str, results: dict, streaks: dict, actions: list[dict], skills: list[dict]) -> dict:
    """The digest's content. ``skills``: one dict per skill dimension (dimension, gap, severity, trend,
    percentile, history); ``actions``: the recommendations this reader may see."""
    return {
        "rep": {"id": rep.id, "name": rep.name, "role": rep.role},
        "month": period,
        "summary": _section(rep.role, SUMMARY, results, streaks, rep.id),
        "diagnosis": _section(rep.role, DIAGNOSIS, results, streaks, rep.id),
        "skills": skills,
        "actions": actions,
    }


SKILL_LABELS = dict(SkillDimension.choices)
# What ``skill_rows`` reads of an assessment (a model instance, or these columns as a named row).
SKILL_FIELDS = (
    "skill_dimension",
    "gap_detected",
    "severity",
    "trend",
    "cohort_percentile",
    "evidence_source",
    "assessment_date",
)


def skill_rows(assessments) -> list[dict]:
    """The latest assessment per dimension, with the cohort percentile of each earlier one (oldest first)
    for the trend chart. ``assessments``: RepSkillAssessmentLog rows of one rep (or their ``SKILL_FIELDS``),
    oldest first."""
    by_dim: dict[str, dict] = {}
    for s in assessments:
        row = by_dim.setdefault(s.skill_dimension, {"history": []})
        row.update(
            {
                "dimension": SKILL_LABELS.get(s.skill_dimension, s.skill_dimension),
                "gap": s.gap_detected,
                "severity": s.severity,
                "trend": s.trend,
                "percentile": s.cohort_percentile,
                "source": s.evidence_source,
                "on": s.assessment_date.isoformat(),
            }
        )
        row["history"].append(s.cohort_percentile)
    return sorted(by_dim.values(), key=lambda row: (not row["gap"], row["percentile"]))


# What ``action_row`` reads of a RepCoachingLog (an instance, or these columns as a named row).
ACTION_FIELDS = (
    "pk",
    "pattern_detected",
    "recommended_action",
    "weeks_persisting",
    "coaching_date",
    "approval_status",
    "resolution_date",
    "history",
)


def action_row(log, *, status_text: str, approver: str) -> dict:
    return {
        "id": log.pk,
        "pattern": log.pattern_detected,
        "action": log.recommended_action,
        "weeks": log.weeks_persisting,
        "since": log.coaching_date.isoformat(),
        "approved_by": approver,
        "modified": log.approval_status == "modified",
        "status": status_text,
        "resolved_on": log.resolution_date.isoformat() if log.resolution_date else None,
        "history": [
            {"week": h["week"], "value": h["value"], "benchmark": h.get("benchmark")} for h in log.history or []
        ],
    }
