"""Milestones M1–M7: completion by the owner, M4/M6 detection from the usage feed, M7 never automatic."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Case, Count, DateField, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django_fsm import TransitionNotAllowed

from gtmos.audit.services import event_record, events_bulk_create, notifications_bulk_create
from gtmos.core import clock
from gtmos.crm.models import Account, Employee, Role, UsageDaily, UsageEvent

from ..models import Escalation, MilestoneItem, OnboardingLog, OnboardingPlan, OnboardingSettings, ProductValueEvent
from ..models.plan import MilestoneStatus, PlanStatus
from .alerts import escalations_resolve, notify, plan_link, users_of
from .log import log_bulk_write, log_write

AUTO_DETECTABLE = ("M4", "M6")


class MilestoneError(Exception):
    pass


def owner_for(*, plan: OnboardingPlan, role: str) -> Employee | None:
    if role == Role.IMPLEMENTATION_ENGINEER:
        # The least-loaded implementation engineer (fewest open M1s) owns M1 on the implementation track.
        open_m1 = (
            MilestoneItem.objects.filter(code="M1", status=MilestoneStatus.PENDING, owner=OuterRef("pk"))
            .values("owner")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            Employee.objects.filter(role=role, is_active=True)
            .annotate(load=Coalesce(Subquery(open_m1), 0))
            .order_by("load", "pk")
            .first()
        )
    return plan.csm or plan.account.csm


def may_complete(employee: Employee | None, item: MilestoneItem) -> bool:
    """Seed 000: M1 is the Implementation Engineer's (on the SOW track) or the CSM's; M2–M6 are the CSM's
    (M4/M6 also detected from the usage feed). Post-sales, the selling team and managers read, not tick."""
    if employee is None:
        return False
    if item.owner_id is not None and item.owner_id == employee.pk:
        return True
    return employee.role == Role.CSM


@transaction.atomic
def milestone_complete(
    *, item: MilestoneItem, by=None, evidence: str = "", on: dt.date | None = None, detected_by: str = "csm"
) -> MilestoneItem:
    """Complete a milestone: log it, tell the team (celebrate wins), update TTV. M7 goes through
    ``onboarding_close`` only — the CSM's explicit close with its handoff. ``by`` is the user; None is the
    system (the demo loader, usage-feed detection)."""
    if item.code == "M7":
        raise MilestoneError("M7 closes onboarding: use the close-onboarding action with the handoff form")
    if by is not None and not may_complete(getattr(by, "employee", None), item):
        raise PermissionError(f"{item.code} is completed by its owner or the CSM")
    item = (
        MilestoneItem.objects.select_for_update(of=("self",))
        .select_related("plan__map", "plan__account")
        .get(pk=item.pk)
    )
    if item.plan.status != PlanStatus.ACTIVE:
        raise MilestoneError("milestones can be completed once onboarding is active (after close)")
    on = on or clock.today()
    if on > clock.today():
        raise MilestoneError(f"completed_on: {on:%Y-%m-%d} is in the future — record a milestone once it is done")
    if item.plan.contract_start_date and on < item.plan.contract_start_date:
        raise MilestoneError(
            f"completed_on: {on:%Y-%m-%d} is before the contract start "
            f"({item.plan.contract_start_date:%Y-%m-%d}), when the TTV clock starts"
        )
    if evidence:
        item.evidence = evidence
    try:
        item.complete(on=on, by=by, detected_by=detected_by)
    except TransitionNotAllowed:
        if item.is_done:
            raise MilestoneError(f"{item.code} is already complete") from None
        raise MilestoneError(f"{item.code} needs evidence (attendance log or assessment result)") from None
    item.save()
    plan = item.plan
    author = getattr(by, "employee", None) if by is not None else None
    log_write(
        plan=plan,
        entry_type=OnboardingLog.EntryType.MILESTONE_COMPLETE,
        milestone_id=item.code,
        notes=f"{item.code} {item.name}" + (f" — evidence: {item.evidence}" if item.evidence else ""),
        author=author,
        on=item.completed_on,
    )
    event_record(
        type="onboarding.milestone_completed",
        subject=item,
        account_id=plan.account_id,
        actor=by,
        payload={"code": item.code, "detected_by": detected_by},
        idempotency_key=f"onboarding.milestone_completed:{item.pk}",
    )
    team = users_of(plan.csm, plan.account.am, plan.opportunity.owner, item.owner)
    notify(
        recipients=team,
        rule="onboarding.milestone_completed",
        title=f"{plan.account.name}: {item.code} {item.name} done",
        body="A step closer to value — nice work.",
        link=plan_link(plan),
        key=f"milestone_done:{item.pk}",
    )
    if item.code == "M5":
        escalations_resolve(plan=plan, kinds=[Escalation.Kind.EXEC_SPONSOR], resolution="M5 done")
    if item.code in AUTO_DETECTABLE:  # only M4 and M6 can complete TTV
        ttv_complete_for(plan_ids=[plan.pk])
    return item


def ttv_complete_for(*, plan_ids) -> int:
    """TTV is complete only when M4 AND M6 are done; TTV days = first value event (M4) − contract start.
    Set-based: a fixed number of queries for any number of plans."""
    dates: dict[int, dict[str, dt.date]] = {}
    starts: dict[int, tuple[int, dt.date]] = {}
    for plan_id, account_id, start, code, done_on in MilestoneItem.objects.filter(
        plan_id__in=plan_ids, plan__ttv_completed_on__isnull=True, code__in=AUTO_DETECTABLE, status=MilestoneStatus.DONE
    ).values_list("plan_id", "plan__account_id", "plan__contract_start_date", "code", "completed_on"):
        dates.setdefault(plan_id, {})[code] = done_on
        starts[plan_id] = (account_id, start)
    complete = {pk: d for pk, d in dates.items() if len(d) == 2 and starts[pk][1]}
    if not complete:
        return 0
    OnboardingPlan.objects.filter(pk__in=complete).update(
        ttv_completed_on=Case(
            *[When(pk=pk, then=Value(max(d.values()))) for pk, d in complete.items()], output_field=DateField()
        )
    )
    Account.objects.filter(pk__in=[starts[pk][0] for pk in complete]).update(
        ttv_achieved_days=Case(
            *[When(pk=starts[pk][0], then=Value((d["M4"] - starts[pk][1]).days)) for pk, d in complete.items()],
            output_field=IntegerField(),
        )
    )
    escalations_resolve(
        plan_ids=list(complete),
        kinds=[Escalation.Kind.TTV_MISS, Escalation.Kind.TTV_MISS_SLM],
        resolution="TTV complete",
    )
    events_bulk_create(
        [
            {
                "type": "onboarding.ttv_complete",
                "subject_type": "onboarding.onboardingplan",
                "subject_id": str(pk),
                "account_id": starts[pk][0],
                "payload": {"ttv_days": (d["M4"] - starts[pk][1]).days},
                "idempotency_key": f"onboarding.ttv_complete:{pk}",
            }
            for pk, d in complete.items()
        ]
    )
    return len(complete)


def usage_milestones_detect(*, today: dt.date | None = None) -> dict[str, int]:
    """Daily: M4 from a selected value event's usage-feed signal; M6 at the adoption threshold.

    Candidate plans are found with two set-based queries; only plans that actually cross are touched.
    """
    today = today or clock.today()
    config = OnboardingSettings.load()
    open_m4 = MilestoneItem.objects.filter(code="M4", status=MilestoneStatus.PENDING, plan__status=PlanStatus.ACTIVE)
    auto_signals = dict(
        ProductValueEvent.objects.filter(active=True)
        .exclude(detection_method=ProductValueEvent.Detection.MANUAL)
        .exclude(detection_signal="")
        .values_list("pk", "detection_signal")
    )
    m4_hits = []
    for item_id, plan_id, account_id, start, selected in open_m4.values_list(
        "pk", "plan_id", "plan__account_id", "plan__contract_start_date", "plan__map__selected_value_events"
    ):
        signals = {auto_signals[e["value_event_id"]] for e in selected or [] if e.get("value_event_id") in auto_signals}
        if signals:
            m4_hits.append((item_id, account_id, start, signals))
    hits: dict[int, dt.date] = {}
    if m4_hits:
        seen = UsageEvent.objects.filter(account_id__in={h[1] for h in m4_hits}, count__gt=0).values_list(
            "account_id", "event_name", "day"
        )
        first_seen: dict[tuple[int, str], dt.date] = {}
        for account_id, name, day in seen:
            key = (account_id, name)
            first_seen[key] = min(day, first_seen.get(key, day))
        for item_id, account_id, start, signals in m4_hits:
            days = [
                first_seen[(account_id, s)]
                for s in signals
                if (account_id, s) in first_seen and first_seen[(account_id, s)] >= (start or dt.date.min)
            ]
            if days:
                hits[item_id] = min(days)
    threshold = config.adoption_threshold_pct / 100
    first_at_threshold = (
        UsageDaily.objects.filter(
            account_id=OuterRef("plan__account_id"), day__lte=today, day__gte=OuterRef("plan__contract_start_date")
        )
        .filter(
            Q(active_seats__gte=F("account__contracted_seats") * threshold, account__contracted_seats__gt=0)
            | Q(
                consumption_units__gte=F("account__contracted_consumption_units") * threshold,
                account__contracted_consumption_units__gt=0,
            )
        )
        .order_by("day")
        .values("day")[:1]
    )
    hits.update(
        MilestoneItem.objects.filter(code="M6", status=MilestoneStatus.PENDING, plan__status=PlanStatus.ACTIVE)
        .annotate(on=Subquery(first_at_threshold))
        .filter(on__isnull=False)
        .values_list("pk", "on")
    )
    done = _complete_detected(hits, today=today)
    codes = list(done.values())
    return {"m4": codes.count("M4"), "m6": codes.count("M6")}


@transaction.atomic
def _complete_detected(hits: dict[int, dt.date], *, today: dt.date) -> dict[int, str]:
    """Complete many usage-detected milestones at once: a conditional update of rows still pending (rows a
    CSM is completing right now are skipped, not waited for), then bulk log rows, events, notices and TTV."""
    if not hits:
        return {}
    rows = list(
        MilestoneItem.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk__in=hits, status=MilestoneStatus.PENDING)
        .values_list(
            "pk",
            "code",
            "name",
            "plan_id",
            "plan__account_id",
            "plan__account__name",
            "plan__contract_start_date",
            "plan__map__ttv_target_days",
            "plan__csm__user_id",
            "plan__account__am__user_id",
            "plan__opportunity__owner__user_id",
        )
    )
    if not rows:
        return {}
    MilestoneItem.objects.filter(pk__in=[r[0] for r in rows], status=MilestoneStatus.PENDING).update(
        status=MilestoneStatus.DONE,
        detected_by="usage_feed",
        completed_on=Case(*[When(pk=r[0], then=Value(hits[r[0]])) for r in rows], output_field=DateField()),
    )
    log_bulk_write(
        [
            {
                "plan_id": plan_id,
                "account_id": account_id,
                "start": start,
                "ttv_target": ttv or 0,
                "log_date": hits[pk],
                "entry_type": OnboardingLog.EntryType.MILESTONE_COMPLETE,
                "milestone_id": code,
                "notes": f"{code} {name} (detected from the usage feed)",
            }
            for pk, code, name, plan_id, account_id, _, start, ttv, *_ in rows
        ],
        today=today,
    )
    events_bulk_create(
        [
            {
                "type": "onboarding.milestone_completed",
                "subject_type": "onboarding.milestoneitem",
                "subject_id": str(pk),
                "account_id": account_id,
                "payload": {"code": code, "detected_by": "usage_feed"},
                "idempotency_key": f"onboarding.milestone_completed:{pk}",
            }
            for pk, code, _, _, account_id, *_ in rows
        ]
    )
    notifications_bulk_create(
        [
            {
                "recipient_id": user,
                "rule": "onboarding.milestone_completed",
                "title": f"{account}: {code} {name} done",
                "body": "Detected from the usage feed — a step closer to value.",
                "link": reverse("onboarding:plan_detail", args=[plan_id]),
                "dedupe_key": f"milestone_done:{pk}:{user}",
            }
            for pk, code, name, plan_id, _, account, _, _, *users in rows
            for user in set(filter(None, users))
        ]
    )
    ttv_complete_for(plan_ids={r[3] for r in rows})
    return {r[0]: r[1] for r in rows}


def csm_confirm_value_event(*, item: MilestoneItem, by, on: dt.date | None = None, evidence: str = ""):
    """M4 where detection is manual: the CSM confirms the first value event."""
    return milestone_complete(item=item, by=by, on=on, evidence=evidence, detected_by="csm")
