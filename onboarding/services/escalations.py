"""Onboarding escalations, evaluated for many plans at once.

The same scan runs daily for every active plan (the backstop) and for one plan right after a fact is
recorded (an outreach logged, a milestone done). It reads everything it needs in a fixed number of
queries and writes with bulk inserts, so its cost does not grow query-by-query with the book.

Rules (seed 000): unresponsive — 2 consecutive unanswered outreaches → CSM + AM, the 3rd → SLM;
TTV trajectory miss — projected miss → CSM + AM with the projected date and blockers; a plan still projected
to miss within 14 days of the deadline, with no recovery plan logged since that miss was flagged → SLM;
M5 not done by 50% of the TTV window → CSM + AM.

A TTV miss is an episode: it opens when the projection first misses and resolves when the plan is back on
pace or TTV completes; a later slip is a new miss that needs its own recovery plan. The same scan resolves
escalations whose condition cleared (back on pace, TTV complete, M5 done).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse

from gtmos.audit.services import events_bulk_create, notifications_bulk_create
from gtmos.core import clock

from .. import rules
from ..models import Escalation, MilestoneItem, OnboardingLog, OnboardingPlan, OnboardingSettings
from ..models.plan import PlanStatus
from .alerts import ESCALATION_LOG_TYPE
from .log import log_bulk_write

UNRESPONSIVE_LOOKBACK_DAYS = 120


@dataclass
class PlanFacts:
    plan_id: int
    account_id: int
    account_name: str
    start: dt.date
    ttv_target: int
    csm_user: int | None
    am_user: int | None
    slm_user: int | None
    done: dict = field(default_factory=dict)
    targets: dict = field(default_factory=dict)
    kinds: list = field(default_factory=list)  # newest first: outreach / customer_reply
    streak_start: int | None = None
    reply_seen: bool = False
    last_recovery_plan: dt.datetime | None = None
    open_miss: tuple[str, dt.datetime] | None = None  # (dedupe key, fired at) of the current TTV miss
    exec_engaged: bool = False


def _load(plan_ids, today) -> dict[int, PlanFacts]:
    plans = OnboardingPlan.objects.filter(status=PlanStatus.ACTIVE, contract_start_date__isnull=False)
    if plan_ids is not None:
        plans = plans.filter(pk__in=plan_ids)
    facts = {}
    cfg = OnboardingSettings.load()
    for row in plans.values_list(
        "pk",
        "account_id",
        "account__name",
        "contract_start_date",
        "map__ttv_target_days",
        "csm__user_id",
        "account__am__user_id",
        "opportunity__owner__slm__user_id",
        "csm__slm__user_id",
        "account__segment",
    ):
        pk, account_id, name, start, ttv, csm_u, am_u, slm_u, csm_slm_u, segment = row
        facts[pk] = PlanFacts(
            pk, account_id, name, start, ttv or cfg.ttv_default(segment), csm_u, am_u, slm_u or csm_slm_u
        )
    if not facts:
        return facts
    scope = Q(plan__status=PlanStatus.ACTIVE) if plan_ids is None else Q(plan_id__in=plan_ids)
    for plan_id, code, done_on, target in MilestoneItem.objects.filter(scope).values_list(
        "plan_id", "code", "completed_on", "target_date"
    ):
        if plan_id in facts:
            facts[plan_id].done[code] = done_on
            facts[plan_id].targets[code] = target
    since = today - dt.timedelta(days=UNRESPONSIVE_LOOKBACK_DAYS)
    activity = OnboardingLog.objects.filter(
        scope,
        entry_type=OnboardingLog.EntryType.CSM_ACTIVITY,
        # A training session the customer's contacts attended answers like a reply (services/training.py).
        activity_kind__in=["outreach", "customer_reply", "training"],
        log_date__gte=since,
    )
    for plan_id, pk, kind in activity.order_by("plan_id", "-logged_at", "-id").values_list(
        "plan_id", "pk", "activity_kind"
    ):
        f = facts.get(plan_id)
        if f is None:
            continue
        if kind in ("customer_reply", "training"):
            f.reply_seen = True
        elif not f.reply_seen:
            f.streak_start = pk  # newest first: ends on the oldest outreach of the current unanswered streak
        f.kinds.append(kind)
    for plan_id, last in (
        OnboardingLog.objects.filter(scope, entry_type=OnboardingLog.EntryType.RECOVERY_PLAN)
        .values("plan_id")
        .annotate(last=Max("logged_at"))
        .values_list("plan_id", "last")
    ):
        if plan_id in facts:
            facts[plan_id].last_recovery_plan = last
    for plan_id, key, fired in (
        Escalation.objects.filter(plan_id__in=facts, kind=Escalation.Kind.TTV_MISS)
        .filter(_open_on(today))
        .values_list("plan_id", "dedupe_key", "fired_at")
    ):
        facts[plan_id].open_miss = (key, fired)
    return facts


def _candidates(
    f: PlanFacts, today: dt.date, cfg: OnboardingSettings, cleared: list
) -> list[tuple[str, str, list, str, dict]]:
    """(kind, dedupe key, recipient user ids, message, details) for every rule this plan breaks today;
    ``cleared`` collects (plan id, kind) for open escalations whose condition no longer holds."""
    out = []
    team = [u for u in (f.csm_user, f.am_user) if u]
    unanswered = rules.consecutive_unanswered(f.kinds)
    if unanswered >= cfg.unresponsive_alert_after:
        out.append(
            (
                Escalation.Kind.UNRESPONSIVE,
                f"unresponsive:{f.plan_id}:{f.streak_start}",
                team,
                f"{unanswered} consecutive outreaches with no customer reply",
                {"unanswered": unanswered},
            )
        )
    if unanswered >= cfg.unresponsive_slm_after:
        out.append(
            (
                Escalation.Kind.UNRESPONSIVE_SLM,
                f"unresponsive_slm:{f.plan_id}:{f.streak_start}",
                [u for u in (f.slm_user,) if u],
                f"Still unresponsive after {unanswered} attempts",
                {"unanswered": unanswered},
            )
        )
    p = rules.project_ttv(
        start=f.start,
        ttv_target=f.ttv_target,
        today=today,
        done=f.done,
        targets=f.targets,
        exec_flag_pct=cfg.exec_sponsor_flag_pct,
    )
    if "M5" in f.done and f.done["M5"]:
        cleared.append((f.plan_id, Escalation.Kind.EXEC_SPONSOR))
    if p.complete or not p.misses:
        cleared += [(f.plan_id, Escalation.Kind.TTV_MISS), (f.plan_id, Escalation.Kind.TTV_MISS_SLM)]
    if p.complete:
        return out
    details = {"deadline": p.deadline.isoformat(), "projected": p.projected.isoformat(), "blocking": list(p.blocking)}
    if p.misses:
        miss_key, flagged_at = f.open_miss or (f"ttv_miss:{f.plan_id}:{today.isoformat()}", clock.now())
        out.append(
            (
                Escalation.Kind.TTV_MISS,
                miss_key,
                team,
                f"Projected TTV {p.projected:%Y-%m-%d} misses the {p.deadline:%Y-%m-%d} target; blocking: "
                f"{', '.join(p.blocking) or 'pace'}",
                details,
            )
        )
        answered = f.last_recovery_plan is not None and f.last_recovery_plan >= flagged_at
        if (p.deadline - today).days <= cfg.ttv_slm_window_days and not answered:
            out.append(
                (
                    Escalation.Kind.TTV_MISS_SLM,
                    f"{miss_key}:slm",
                    [u for u in (f.slm_user,) if u],
                    f"Projected to miss the {p.deadline:%Y-%m-%d} TTV deadline, now within "
                    f"{cfg.ttv_slm_window_days} days, and no recovery plan logged for this miss",
                    details,
                )
            )
    if "M5" in f.done and not f.done["M5"] and today >= p.exec_flag_due:
        out.append(
            (
                Escalation.Kind.EXEC_SPONSOR,
                f"exec_sponsor:{f.plan_id}",
                team,
                f"M5 (executive sponsor briefed) not done by {cfg.exec_sponsor_flag_pct}% of the TTV window "
                f"({p.exec_flag_due:%Y-%m-%d})",
                {"due": p.exec_flag_due.isoformat()},
            )
        )
    return out


def _open_on(day: dt.date) -> Q:
    """Open as of ``day``: fired by then and not resolved by then. An operator replaying an earlier day
    (manage.py onboarding_daily --day) sees the escalations as that day saw them, not as later days left them."""
    return Q(fired_at__date__lte=day) & (Q(resolved_at__isnull=True) | Q(resolved_at__date__gt=day))


def _resolve_cleared(cleared: list[tuple[int, str]], *, now) -> int:
    """One conditional update per kind: open escalations whose condition cleared get their resolved-at (only
    those fired by this run's day: a replayed earlier day never closes what a later day opened)."""
    by_kind: dict[str, list[int]] = defaultdict(list)
    for plan_id, kind in cleared:
        by_kind[kind].append(plan_id)
    return sum(
        Escalation.objects.filter(kind=kind, plan_id__in=plans, resolved_at__isnull=True, fired_at__lte=now).update(
            resolved_at=now, resolution=CLEARED[kind]
        )
        for kind, plans in by_kind.items()
    )


CLEARED = {
    Escalation.Kind.TTV_MISS: "Back on pace",
    Escalation.Kind.TTV_MISS_SLM: "Back on pace",
    Escalation.Kind.EXEC_SPONSOR: "M5 done",
}


def _remind(plan_ids, *, now, days: int) -> int:
    """Follow-through (seed 004): an escalation still open after ``days`` goes again to the people it went to,
    then every ``days`` more. A conditional update claims the due rows, so a second run sends nothing."""
    if not days:
        return 0
    due_before = now - dt.timedelta(days=days)
    due = Escalation.objects.filter(resolved_at__isnull=True, plan__status=PlanStatus.ACTIVE).filter(
        Q(nudged_at__isnull=True, fired_at__lte=due_before) | Q(nudged_at__lte=due_before)
    )
    if plan_ids is not None:
        due = due.filter(plan_id__in=plan_ids)
    rows = list(
        due.select_for_update(skip_locked=True, of=("self",)).values_list(
            "pk", "plan_id", "kind", "fired_at", "recipient_ids", "plan__account__name"
        )
    )
    if not rows:
        return 0
    Escalation.objects.filter(pk__in=[r[0] for r in rows]).update(nudged_at=now)
    notifications_bulk_create(
        [
            {
                "recipient_id": user,
                "rule": f"onboarding.{kind}.reminder",
                "title": f"Still open: {name}: {Escalation.Kind(kind).label}",
                "body": f"Open since {fired:%Y-%m-%d} ({(now - fired).days} days). Resolve it or log what is being done.",
                "link": reverse("onboarding:plan_detail", args=[plan_id]),
                "dedupe_key": f"reminder:{pk}:{now:%Y%m%d}:{user}",
            }
            for pk, plan_id, kind, fired, users, name in rows
            for user in users or []
        ]
    )
    return len(rows)


@transaction.atomic
def escalation_scan(*, today: dt.date | None = None, plan_ids=None) -> dict[str, int]:
    today = today or clock.today()
    cfg = OnboardingSettings.load()
    facts = _load(plan_ids, today)
    cleared: list[tuple[int, str]] = []
    found = [(f, *c) for f in facts.values() for c in _candidates(f, today, cfg, cleared)]
    now = clock.now()
    _resolve_cleared(cleared, now=now)
    _remind(plan_ids, now=now, days=cfg.escalation_renudge_days)
    existing = set(Escalation.objects.filter(dedupe_key__in=[c[2] for c in found]).values_list("dedupe_key", flat=True))
    fresh = [c for c in found if c[2] not in existing]
    if not fresh:
        return {}
    Escalation.objects.bulk_create(
        [
            Escalation(plan_id=f.plan_id, kind=kind, dedupe_key=key, fired_at=now, details=d, recipient_ids=users)
            for f, kind, key, users, _, d in fresh
        ],
        ignore_conflicts=True,
    )
    log_bulk_write(
        [
            {
                "plan_id": f.plan_id,
                "account_id": f.account_id,
                "start": f.start,
                "ttv_target": f.ttv_target,
                "entry_type": OnboardingLog.EntryType.ESCALATION,
                "escalation_type": ESCALATION_LOG_TYPE.get(kind, "other"),
                "notes": f"{Escalation.Kind(kind).label}: {msg}",
            }
            for f, kind, _, _, msg, _ in fresh
        ],
        today=today,
    )
    events_bulk_create(
        [
            {
                "type": f"onboarding.escalation.{kind}",
                "subject_type": "onboarding.onboardingplan",
                "subject_id": str(f.plan_id),
                "account_id": f.account_id,
                "payload": d,
                "idempotency_key": f"escalation:{key}",
            }
            for f, kind, key, _, _, d in fresh
        ]
    )
    notifications_bulk_create(
        [
            {
                "recipient_id": user,
                "rule": f"onboarding.{kind}",
                "title": f"{f.account_name}: {Escalation.Kind(kind).label}",
                "body": msg,
                "link": reverse("onboarding:plan_detail", args=[f.plan_id]),
                "dedupe_key": f"{key}:{user}",
            }
            for f, kind, key, users, msg, _ in fresh
            for user in users
        ]
    )
    m5 = [f.plan_id for f, kind, *_ in fresh if kind == Escalation.Kind.EXEC_SPONSOR]
    if m5:
        MilestoneItem.objects.filter(plan_id__in=m5, code="M5", flagged_at__isnull=True).update(flagged_at=now)
    counts: dict[str, int] = defaultdict(int)
    for _, kind, *_ in fresh:
        counts[kind] += 1
    return dict(counts)
