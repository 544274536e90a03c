"""The daily run (beat): exception-only flags to managers, and the escalation-threshold table's rows.

- A headline metric past its critical bound (the role cohort's 10th percentile) flags the manager once,
  until it clears. Reps never receive daily flags.
- AE attainment < 50% with < 6 weeks left → manager and SLM at once (once per quota period).
- Conversation quality in the role cohort's bottom quartile for 30+ days → manager.
- More than 50% of an AM/CSM book dropping a tier in the period → manager and SLM.
- Three or more flags within 14 days → the manager is told the escalation path is active; the weekly
  ``daily_flags`` metric then runs it through the persistence clock like any other pattern.
Safe to run twice a day: open flags and open escalations are found, not re-made."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q

from gtmos.core import clock
from gtmos.crm.models import Role

from .. import metrics
from ..metrics.book import book_health
from ..metrics.quality import bottom_quartile_all_days
from ..metrics.registry import label
from ..models import CoachingEscalation as Esc
from ..models import CoachingSettings, DailyFlag
from ..recommend import BENCH_WORDS, action, fmt, row_action
from .batch import batch_run, reads_beside
from .notify import notify
from .weekly import plays


@dataclass(frozen=True)
class Flag:
    """What a daily flag stores (seed 001: specific metric, current value, threshold breached, action)."""

    metric: str
    value: float
    bound: float
    bound_rule: str
    detail: str
    action: str


@transaction.atomic
@batch_run
def coaching_daily(*, day: dt.date, reps: dict | None = None) -> dict[str, int]:
    settings = CoachingSettings.load()
    reps = reps if reps is not None else metrics.reps_of(as_of=day, period_days=settings.role_period_days)
    results = metrics.measure(reps, day, settings, beside=reads_beside())
    wanted: dict[tuple[int, str], Flag] = {}
    book = plays()
    for rep_id, by_code in results.items():
        rep = reps[rep_id]
        for family, r in _worst_per_family(by_code).items():
            code = r.code
            if r.critical:
                name, unit = label(rep.role, code), r.metric.unit
                wanted[(rep_id, family)] = Flag(
                    name,
                    r.value,
                    r.bound,
                    r.bound_rule,
                    f"{name} at {fmt(r.value, unit)} is past its critical bound of {fmt(r.bound, unit)} ({r.bound_rule}); "
                    f"the {BENCH_WORDS.get(r.metric.benchmark, r.metric.benchmark)} is {fmt(r.benchmark, unit)}.",
                    action(rep.name, rep.role, r, 1, book),
                )
    escalations = _threshold_rows(day, reps, results, settings, wanted, book)
    flags = _sync_flags(day, reps, wanted)
    repeated = _repeated_flags(day, reps, settings)
    return {"flags": flags, "escalations": escalations, "repeated": repeated}


def _worst_per_family(by_code: dict) -> dict:
    """One flag per metric: a family (stage pairs, cadence steps, stages' velocity) flags once, for the member
    furthest past its bound — a rep with three weak cadence steps gets one point alert naming the worst."""
    worst = {}
    for r in by_code.values():
        if not r.critical:
            continue
        past = (r.bound - r.value) if r.metric.higher_is_better else (r.value - r.bound)
        family = r.metric.family
        if family not in worst or past > worst[family][0]:
            worst[family] = (past, r)
    return {family: r for family, (_, r) in worst.items()}


def _sync_flags(day, reps, wanted: dict[tuple[int, str], Flag]) -> int:
    """Open a flag per newly breached condition; clear the ones whose condition no longer holds."""
    # Open as of ``day`` (raised by then, not cleared by then): a replayed earlier day sees the flags as it did.
    open_flags = {
        (f.rep_id, f.condition): f
        for f in DailyFlag.objects.filter(
            Q(cleared_on__isnull=True) | Q(cleared_on__gt=day), day__lte=day, rep_id__in=list(reps)
        )
    }
    cleared = [f.pk for key, f in open_flags.items() if key not in wanted and f.day < day]
    DailyFlag.objects.filter(pk__in=cleared, cleared_on__isnull=True).update(cleared_on=day)
    # A condition a later day holds open is not raised again by a replayed earlier one (one open flag each).
    open_flags.update(
        {
            (f.rep_id, f.condition): f
            for f in DailyFlag.objects.filter(cleared_on__isnull=True, day__gt=day, rep_id__in=list(reps))
        }
    )
    new = [
        DailyFlag(
            rep_id=rep_id,
            role=reps[rep_id].role,
            day=day,
            condition=cond,
            metric=f.metric,
            value=f.value,
            threshold=f.bound,
            bound_rule=f.bound_rule,
            detail=f.detail,
            recommended_action=f.action,
        )
        for (rep_id, cond), f in wanted.items()
        if (rep_id, cond) not in open_flags
    ]
    DailyFlag.objects.bulk_create(new)
    # One notice per manager a day, listing the day's new flags (a long list of point alerts is noise; the flags
    # page holds each one with its bound and action).
    per_manager = defaultdict(list)
    for f in new:
        per_manager[reps[f.rep_id].manager_id or reps[f.rep_id].slm_id].append(f)
    notify(
        [
            (
                who,
                "coaching_daily_flag",
                f"Daily flag: {flags[0].metric} — {reps[flags[0].rep_id].name}"
                if len(flags) == 1
                else f"{len(flags)} daily flags on your team",
                " ".join(f"{reps[f.rep_id].name}: {f.detail} Recommended: {f.recommended_action}" for f in flags[:5])
                + (f" (+{len(flags) - 5} more on the flags page)" if len(flags) > 5 else ""),
                f"/coaching/reps/{flags[0].rep_id}/" if len(flags) == 1 else "/coaching/flags/",
                f"coaching:flags:{who}:{day}",
            )
            for who, flags in per_manager.items()
            if who
        ]
    )
    return len(new)


def _fire(rows, notices, day, rep, kind, summary, *, manager, slm, key, open_kinds):
    if (rep.id, kind) in open_kinds:
        return
    rows.append(
        Esc(rep_id=rep.id, kind=kind, to_manager=manager, to_slm=slm, fired_on=day, summary=summary, dedupe_key=key)
    )
    for who, yes in ((rep.manager_id or rep.slm_id, manager), (rep.slm_id, slm)):  # no manager: the SLM hears
        if yes:
            notices.append(
                (
                    who,
                    f"coaching_{kind}",
                    f"{Esc.Kind(kind).label}: {rep.name}",
                    summary,
                    "/coaching/escalations/" if who == rep.slm_id else f"/coaching/reps/{rep.id}/",
                    f"coaching:{key}:{who}",
                )
            )


def _threshold_rows(day, reps, results, settings, wanted, book) -> int:
    open_kinds = set(
        Esc.objects.filter(
            Q(resolved_at__isnull=True) | Q(resolved_at__date__gt=day), fired_on__lte=day, rep_id__in=list(reps)
        ).values_list("rep_id", "kind")
    )
    taken = set(
        Esc.objects.filter(kind=Esc.Kind.ATTAINMENT, rep_id__in=list(reps)).values_list("dedupe_key", flat=True)
    )
    rows, notices, holding = [], [], defaultdict(set)
    for rep_id, by_code in results.items():
        rep, r = reps[rep_id], by_code.get("attainment_pace")
        if rep.role != Role.AE or r is None:
            continue
        e = r.evidence
        attained, what = (
            (e["attainment_pct"], "closed + committed")
            if settings.attainment_counts_committed
            else (e["closed_pct"], "closed")
        )
        if attained < settings.ae_attainment_floor_pct and e["weeks_left"] < settings.ae_weeks_left:
            key = f"attainment:{rep_id}:{e['period']}"
            summary = (
                f"{rep.name} has {attained:g}% of the {e['period']} quota {what} with {e['weeks_left']:g} weeks left."
            )
            floor = settings.ae_attainment_floor_pct
            wanted[(rep_id, "attainment_floor")] = Flag(
                f"Quota attainment ({what} / quota)",
                attained,
                floor,
                f"{what} / quota below {floor}% with fewer than {settings.ae_weeks_left} weeks left in the period",
                summary,
                row_action(
                    rep.role,
                    "attainment_floor",
                    book,
                    {
                        "rep": rep.name,
                        "metric": "quota attainment",
                        "value": f"{attained:g}%",
                        "bound": f"{floor}%",
                        "period": e["period"],
                        "weeks_left": f"{e['weeks_left']:g}",
                    },
                ),
            )
            if key not in taken:
                _fire(
                    rows,
                    notices,
                    day,
                    rep,
                    Esc.Kind.ATTAINMENT,
                    summary,
                    manager=True,
                    slm=True,
                    key=key,
                    open_kinds=set(),
                )
    for rep_id, (score, q1) in bottom_quartile_all_days(reps, day, settings.quality_quartile_days).items():
        rep = reps[rep_id]
        holding[Esc.Kind.QUALITY].add(rep_id)
        summary = (
            f"{rep.name}'s conversation quality ({score:g}) has sat in the {rep.role.upper()} cohort's bottom "
            f"quartile for {settings.quality_quartile_days}+ days."
        )
        wanted[(rep_id, "quality_bottom_quartile")] = Flag(
            "Conversation quality (trailing 30 days)",
            score,
            q1,
            f"bottom quartile of the {rep.role.upper()} cohort's trailing-30-day call score, every day for "
            f"{settings.quality_quartile_days} days",
            summary,
            row_action(
                rep.role,
                "quality_bottom_quartile",
                book,
                {"rep": rep.name, "metric": "conversation quality", "value": f"{score:g}", "bound": f"{q1:g}"},
            ),
        )
        _fire(
            rows,
            notices,
            day,
            rep,
            Esc.Kind.QUALITY,
            summary,
            manager=True,
            slm=False,
            key=f"quality:{rep_id}:{day}",
            open_kinds=open_kinds,
        )
    for role, field in ((Role.AM, "am_id"), (Role.CSM, "csm_id")):
        subset = {i: r for i, r in reps.items() if r.role == role}
        for rep_id, b in book_health(subset, day, field_name=field, period_days=settings.book_drop_period_days).items():
            if b.compared and len(b.dropped) * 100 > settings.book_drop_share_pct * b.compared:
                rep = reps[rep_id]
                holding[Esc.Kind.BOOK_DROP].add(rep_id)
                share = round(100 * len(b.dropped) / b.compared)
                summary = (
                    f"{share}% of {rep.name}'s book ({len(b.dropped)} of {b.compared} accounts) dropped a health "
                    f"tier in {settings.book_drop_period_days} days: {', '.join(b.dropped[:5])}."
                )
                wanted[(rep_id, "book_tier_drop")] = Flag(
                    "Book health: accounts dropping a tier",
                    share,
                    settings.book_drop_share_pct,
                    f"more than {settings.book_drop_share_pct}% of the book dropping a health tier within "
                    f"{settings.book_drop_period_days} days",
                    summary,
                    row_action(
                        rep.role,
                        "book_tier_drop",
                        book,
                        {
                            "rep": rep.name,
                            "metric": "book health",
                            "value": f"{share}%",
                            "bound": f"{settings.book_drop_share_pct}%",
                            "days": settings.book_drop_period_days,
                            "accounts": ", ".join(b.dropped[:5]),
                        },
                    ),
                )
                _fire(
                    rows,
                    notices,
                    day,
                    rep,
                    Esc.Kind.BOOK_DROP,
                    summary,
                    manager=True,
                    slm=True,
                    key=f"book_drop:{rep_id}:{day}",
                    open_kinds=open_kinds,
                )
    Esc.objects.bulk_create(rows, ignore_conflicts=True)
    notify(notices)
    # A standing condition that cleared closes its escalation, so the next breach fires afresh. Only one fired
    # by this day: an operator replaying an earlier day must not close what a later day opened.
    for kind in (Esc.Kind.QUALITY, Esc.Kind.BOOK_DROP):
        (
            Esc.objects.filter(kind=kind, resolved_at__isnull=True, rep_id__in=list(reps), fired_on__lte=day)
            .exclude(rep_id__in=holding[kind])
            .update(resolved_at=clock.now())
        )
    return len(rows)


def _repeated_flags(day, reps, settings) -> int:
    since = day - dt.timedelta(days=settings.repeat_flags_days - 1)
    busy = (
        DailyFlag.objects.filter(rep_id__in=list(reps), day__gte=since, day__lte=day)
        .values("rep_id")
        .annotate(n=Count("id"))
        .filter(n__gte=settings.repeat_flags)
    )
    rows, notices = [], []
    open_kinds = set(
        Esc.objects.filter(kind=Esc.Kind.REPEATED_FLAGS, fired_on__gte=since, rep_id__in=list(reps)).values_list(
            "rep_id", "kind"
        )
    )
    for b in busy:
        rep = reps[b["rep_id"]]
        summary = (
            f"{b['n']} daily flags for {rep.name} in {settings.repeat_flags_days} days: the escalation path is "
            f"active (the weekly check escalates to the SLM if it persists)."
        )
        _fire(
            rows,
            notices,
            day,
            rep,
            Esc.Kind.REPEATED_FLAGS,
            summary,
            manager=True,
            slm=False,
            key=f"repeated_flags:{rep.id}:{day}",
            open_kinds=open_kinds,
        )
    Esc.objects.bulk_create(rows, ignore_conflicts=True)
    notify(notices)
    return len(rows)
