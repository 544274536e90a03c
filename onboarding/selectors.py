"""Reads for the onboarding pages. Each starts from ``visible_to(user)`` and runs a fixed number of
queries whatever the book size (TTV projections are computed in Python from two bulk reads)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
)

from gtmos.audit.models import ExceptionLog
from gtmos.core import clock
from gtmos.core.sorting import Column, Sort
from gtmos.crm.models import Opportunity, QuoteLine, Stage

from . import rules
from .models import Escalation, MilestoneItem, MutualActionPlan, OnboardingPlan, OnboardingSettings, ProductValueEvent
from .models.plan import PlanStatus, SignoffStatus


@dataclass
class PlanView:
    plan: OnboardingPlan
    projection: rules.Projection | None
    elapsed: int
    milestones: list


def _view(plan: OnboardingPlan, today: dt.date, cfg: OnboardingSettings) -> PlanView:
    items = list(plan.milestones.all())
    if plan.contract_start_date is None:
        return PlanView(plan, None, 0, items)
    projection = rules.project_ttv(
        start=plan.contract_start_date,
        today=today,
        ttv_target=plan.map.ttv_target_days or cfg.ttv_default(plan.account.segment),
        done={m.code: m.completed_on for m in items},
        targets={m.code: m.target_date for m in items},
        exec_flag_pct=cfg.exec_sponsor_flag_pct,
    )
    return PlanView(plan, projection, (today - plan.contract_start_date).days, items)


def _active_plans(*, user, mine_only: bool):
    from gtmos.crm.access import employee_of

    plans = OnboardingPlan.objects.visible_to(user).filter(status=PlanStatus.ACTIVE)
    employee = employee_of(user)
    if mine_only and employee is not None and employee.role in ("csm", "impl_engineer"):
        # A subquery, not a join + DISTINCT (issue 20: the CSM home reads this on every visit).
        owned = MilestoneItem.objects.filter(owner=employee).values("plan_id")
        plans = plans.filter(Q(csm=employee) | Q(pk__in=owned))
    return plans


def _views(plans) -> list[PlanView]:
    today, cfg = clock.today(), OnboardingSettings.load()
    views = [_view(p, today, cfg) for p in plans]
    views.sort(key=lambda v: (not (v.projection and v.projection.misses), v.plan.contract_start_date))
    return views


def cockpit(*, user, mine_only: bool = True) -> list[PlanView]:
    """Active onboarding accounts with the TTV clock and projection."""
    plans = (
        _active_plans(user=user, mine_only=mine_only)
        .select_related("account", "map", "csm")
        .prefetch_related(Prefetch("milestones", queryset=MilestoneItem.objects.order_by("code")))
        .order_by("contract_start_date")[:200]
    )
    return _views(plans)


def ttv_misses(*, user) -> list[PlanView]:
    """The cockpit's plans (the user's own, as ``cockpit(mine_only=True)``) projected to miss their TTV target,
    for the CSM/AM home's panel. The same plans and projection as the cockpit, reading only what the projection
    and the panel use (the plan's start, the account's name and segment, the MAP's target, each milestone's code
    and dates): the cockpit's full rows were most of the CSM home's cost (issue 20: page speed). The FSM state
    fields are read too: django-fsm reads them as each instance is built."""
    milestones = MilestoneItem.objects.only("plan_id", "status", "code", "completed_on", "target_date").order_by("code")
    plans = (
        _active_plans(user=user, mine_only=True)
        .select_related("account", "map")
        .only(
            "status",
            "contract_start_date",
            "account__name",
            "account__segment",
            "map__ttv_target_days",
            "map__postsales_signoff_status",
        )
        .prefetch_related(Prefetch("milestones", queryset=milestones))
        .order_by("contract_start_date")[:200]
    )
    return [v for v in _views(plans) if v.projection and v.projection.misses]


def plan_get(*, user, pk: int) -> OnboardingPlan:
    return (
        OnboardingPlan.objects.visible_to(user)
        .select_related("account__am", "account__csm", "map__signoff_by", "opportunity__owner", "csm")
        .get(pk=pk)
    )


def plan_detail(*, plan: OnboardingPlan) -> dict:
    today, cfg = clock.today(), OnboardingSettings.load()
    plan_view = _view(plan, today, cfg)
    return {
        "view": plan_view,
        "log": plan.log_entries.select_related("author").order_by("-logged_at", "-id")[:50],
        "escalations": plan.escalations.order_by("-fired_at")[:20],
        "handoff": getattr(plan, "handoff", None) if plan.status == PlanStatus.COMPLETE else None,
        "value_events": ProductValueEvent.objects.filter(
            pk__in=[e.get("value_event_id") for e in plan.map.selected_value_events or []]
        ).select_related("product"),
        # The institutional memory the selling team handed over (seed 000), in front of the CSM.
        "brief": plan.kickoff_brief or {},
        "sow": plan.map.implementation_sow or plan.opportunity.sows.order_by("-pk").first(),
        "training": training_sessions(plan=plan),
    }


def training_sessions(*, plan: OnboardingPlan) -> list:
    """The plan's training schedule, with who was invited and who attended (three queries)."""
    from .models import TrainingSession

    return list(
        TrainingSession.objects.filter(plan=plan)
        .select_related("trainer")
        .prefetch_related("invitees", "attendees")
        .order_by("scheduled_for", "pk")
    )


def preclose_deals(*, user) -> dict:
    """The AM's pre-close view: deals in pre-boarding, and open deals that pass the eligibility gate."""
    cfg = OnboardingSettings.load()
    visible = Opportunity.objects.visible_to(user).exclude(stage__in=[Stage.CLOSED_WON, Stage.CLOSED_LOST])
    in_progress = (
        visible.filter(onboarding_plan__status=PlanStatus.DRAFT)
        .select_related("account", "owner", "onboarding_plan__map")
        .order_by("close_date")[:100]
    )
    services = QuoteLine.objects.filter(quote__opportunity=OuterRef("pk"), product__is_implementation_service=True)
    eligible = (
        visible.filter(onboarding_plan__isnull=True)
        .filter(
            Q(account__segment="ent")
            | Q(acv__gte=cfg.eligibility_acv_threshold)
            | Q(sam_value__gte=cfg.eligibility_sam_threshold)
            | Exists(services)
        )
        .select_related("account", "owner")
        .order_by("-deal_health_score", "close_date")[:100]
    )
    flags = set(
        ExceptionLog.objects.filter(
            exception_type="resource_flag", status="active", opportunity__in=[o.pk for o in in_progress]
        ).values_list("opportunity_id", flat=True)
    )
    return {"in_progress": in_progress, "eligible": eligible, "flagged": flags, "config": cfg}


def preclose_opportunity(*, user, pk: int) -> Opportunity:
    return Opportunity.objects.visible_to(user).select_related("account", "owner", "am", "csm").get(pk=pk)


def review_queue(*, user) -> dict:
    maps = (
        MutualActionPlan.objects.visible_to(user)
        .select_related("opportunity__owner", "account", "plan")
        .order_by("plan__contract_start_date", "pk")
    )
    return {
        "pending": maps.filter(postsales_signoff_status=SignoffStatus.PENDING)[:200],
        "rejected": maps.filter(postsales_signoff_status=SignoffStatus.REJECTED, slm_override=False)[:200],
        "recent": maps.filter(Q(postsales_signoff_status=SignoffStatus.ACCEPTED) | Q(slm_override=True)).order_by(
            "-signoff_timestamp"
        )[:20],
    }


def map_get(*, user, pk: int) -> MutualActionPlan:
    return (
        MutualActionPlan.objects.visible_to(user)
        .select_related("opportunity__owner", "account", "plan", "signoff_by", "slm_override_by")
        .get(pk=pk)
    )


def open_escalations(*, plan: OnboardingPlan):
    return Escalation.objects.filter(plan=plan, resolved_at__isnull=True)


def change_request_events(*, req) -> dict:
    """The signed and the requested value events of a MAP change request, named for the SLM's page."""
    rows = {"current_events": req.current_value_events or [], "requested_events": req.requested_value_events or []}
    names = dict(
        ProductValueEvent.objects.filter(
            pk__in={e.get("value_event_id") for events in rows.values() for e in events}
        ).values_list("pk", "event_name")
    )
    return {
        key: [
            {"name": names.get(e.get("value_event_id"), "(retired event)"), "target_date": e.get("target_date")}
            for e in events
        ]
        for key, events in rows.items()
    }


class _Percentile(Aggregate):
    """PostgreSQL's ordered-set aggregate over an interval: PERCENTILE_CONT(p) WITHIN GROUP (ORDER BY …)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


# --- escalation triage and report (one page: /onboarding/escalations/) -----------------------------------
# Issue 16's report (resolution times, procedures) and issue 20's triage list (filters, sortable headers) were
# two pages over the same rows; they are one now. Filters and sort live in the URL.

ESCALATION_STATES = {"open": "Open", "resolved": "Resolved", "all": "All"}
ESCALATION_AGES = {
    "": "Any age",
    "7": "Open more than 7 days",
    "14": "Open more than 14 days",
    "30": "Open more than 30 days",
}
ESCALATION_SORT = Sort(
    [
        Column("fired", "Opened", ("fired_at",)),
        Column("kind", "Kind", ("kind",)),
        Column("account", "Account", ("plan__account__name",)),
        Column("owner", "Owner (CSM)", ("plan__csm__name",)),
        Column("resolved", "Resolved", ("resolved_at",)),
    ],
    default="fired",
)


def _visible_escalations(user):
    return Escalation.objects.filter(plan_id__in=OnboardingPlan.objects.visible_to(user).values("pk"))


def escalation_triage(*, user, kind: str = "", owner: int | None = None, age: str = "", state: str = "open", sort=None):
    """The triage list: escalations on visible plans, filtered by kind, owner (the plan's CSM), age and state."""
    qs = _visible_escalations(user).select_related("plan__account", "plan__csm")
    if kind:
        qs = qs.filter(kind=kind)
    if owner:
        qs = qs.filter(plan__csm_id=owner)
    if state == "open":
        qs = qs.filter(resolved_at__isnull=True)
    elif state == "resolved":
        qs = qs.filter(resolved_at__isnull=False)
    if age and age in ESCALATION_AGES:
        qs = qs.filter(fired_at__lte=clock.now() - dt.timedelta(days=int(age)))
    return qs.order_by(*(sort or ESCALATION_SORT.default).order_by)


def escalation_owners(*, user) -> list[tuple[int, str]]:
    return list(
        _visible_escalations(user)
        .filter(plan__csm__isnull=False)
        .values_list("plan__csm_id", "plan__csm__name")
        .distinct()
        .order_by("plan__csm__name")
    )


def escalation_report(*, user) -> dict:
    """Seed 004 "track resolution times": per kind, how many fired, resolved and open, the median, 90th
    percentile, average and longest time to resolve against RevOps' target, and the oldest open one — over the
    plans the user may see; one query for the figures, one for the targets."""
    took = ExpressionWrapper(F("resolved_at") - F("fired_at"), output_field=DurationField())
    done = Q(resolved_at__isnull=False)
    rows = {
        r["kind"]: r
        for r in _visible_escalations(user)
        .values("kind")
        .annotate(
            fired=Count("pk"),
            resolved=Count("pk", filter=done),
            open=Count("pk", filter=Q(resolved_at__isnull=True)),
            median=_Percentile(took, 0.5, filter=done),
            p90=_Percentile(took, 0.9, filter=done),
            avg=Avg(took, filter=done),
            longest=Max(took, filter=done),
            oldest_open=Min("fired_at", filter=Q(resolved_at__isnull=True)),
        )
    }
    targets = procedure_targets()
    now = clock.now()
    empty = {k: None for k in ("median", "p90", "avg", "longest", "oldest_open")}
    kinds = []
    for kind in Escalation.Kind:
        row = rows.get(kind.value, {"fired": 0, "resolved": 0, "open": 0, **empty})
        target = targets[kind.value]["resolve_within_days"]
        kinds.append(
            {
                **row,
                "kind": kind.value,
                "label": kind.label,
                "median_text": duration_text(row["median"]),
                "p90_text": duration_text(row["p90"]),
                "avg_text": duration_text(row["avg"]),
                "longest_text": duration_text(row["longest"]),
                "target_days": target,
                "over_target": row["median"] is not None and row["median"] > dt.timedelta(days=target),
                "oldest_open_days": (now - row["oldest_open"]).days if row["oldest_open"] else None,
            }
        )
    return {
        "kinds": kinds,
        "now": now,
        "procedures": escalation_procedures(cfg=OnboardingSettings.load(), figures=kinds, targets=targets),
    }


def procedure_targets() -> dict[str, dict]:
    """RevOps' per-kind target and follow-up steps (EscalationProcedure), with the shipped defaults for a kind
    that has no row (the migration creates them; a flushed test database has none)."""
    from .models import EscalationProcedure
    from .models.training import PROCEDURE_DEFAULTS

    rows = {p.kind: p for p in EscalationProcedure.objects.all()}
    out = {}
    for kind in Escalation.Kind:
        days, steps = PROCEDURE_DEFAULTS[kind.value]
        row = rows.get(kind.value)
        out[kind.value] = {
            "resolve_within_days": row.resolve_within_days if row else days,
            "follow_up_steps": row.follow_up_steps if row else steps,
            "pk": row.pk if row else None,
        }
    return out


def duration_text(delta: dt.timedelta | None) -> str:
    if delta is None:
        return "—"
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.1f} days"


def escalation_procedures(*, cfg: OnboardingSettings, figures: list[dict] | None = None, targets=None) -> list[dict]:
    """Seed 004's "escalation procedures" per kind: trigger, route, recipients, timing, follow-up and the
    resolution-time figures. Trigger and timing are written from the same RevOps settings the rules read, so
    the document never drifts from what the system does; the target and the team's follow-up steps are
    RevOps' EscalationProcedure rows."""
    again = (
        f"Sent again to the same people every {cfg.escalation_renudge_days} days while open."
        if cfg.escalation_renudge_days
        else "No reminders (RevOps turned them off)."
    )
    targets = targets or procedure_targets()
    by_kind = {f["kind"]: f for f in figures or []}
    route = "In-app notice to each recipient's inbox, linked to the onboarding plan; listed on this page"
    csm_am = "The plan's CSM and the account's AM"
    slm = "The SLM over the deal (the deal owner's SLM, else the CSM's, else the AM's)"
    k = Escalation.Kind
    rows = [
        (
            k.UNRESPONSIVE,
            f"{cfg.unresponsive_alert_after} consecutive outreaches with no customer reply logged",
            csm_am,
            "At once, when the outreach is logged",
            "Resolves when a customer reply is logged or a contact attends a training session.",
        ),
        (
            k.UNRESPONSIVE_SLM,
            f"Still no reply after {cfg.unresponsive_slm_after} attempts",
            slm,
            "At once, when the outreach is logged",
            "Resolves when a customer reply is logged or a contact attends a training session.",
        ),
        (
            k.TTV_MISS,
            "The TTV projection from milestone velocity misses the agreed target",
            f"{csm_am}, with the projected date and the blocking milestones",
            "Daily scan and right after a milestone or activity",
            "Resolves when back on pace or TTV completes; log a recovery plan.",
        ),
        (
            k.TTV_MISS_SLM,
            f"Still projected to miss within {cfg.ttv_slm_window_days} days of the deadline, no recovery "
            "plan logged for this miss",
            slm,
            "Daily scan",
            "Resolves when a recovery plan is logged or on pace.",
        ),
        (
            k.EXEC_SPONSOR,
            f"M5 not done by {cfg.exec_sponsor_flag_pct}% of the TTV window",
            csm_am,
            "Daily scan",
            "Resolves when M5 is done or an exec touchpoint is logged.",
        ),
        (
            k.MAP_REJECTED,
            "Post-sales rejects the MAP handoff (comp hold at once)",
            slm,
            "At once",
            "Resolves on the SLM's override; post-sales cannot accept a rejection.",
        ),
        (
            k.TARGETS_UNREALISTIC,
            "Post-sales escalates value-event targets as unrealistic before sign-off",
            slm,
            "At once",
            "Resolves when the MAP is signed off.",
        ),
    ]
    out = []
    for kind, trigger, recipients, timing, resolves in rows:
        figure = by_kind.get(kind.value, {})
        target = targets[kind.value]
        out.append(
            {
                "kind": kind.value,
                "label": kind.label,
                "trigger": trigger,
                "route": route,
                "recipients": recipients,
                "timing": timing,
                "follow_up": f"{resolves} {again}",
                "steps": target["follow_up_steps"],
                "target_days": target["resolve_within_days"],
                "procedure_pk": target["pk"],
                "median_text": figure.get("median_text", "—"),
                "resolved": figure.get("resolved", 0),
                "over_target": figure.get("over_target", False),
            }
        )
    return out


def plan_checklist(*, plan: OnboardingPlan) -> list[list[str]]:
    """Seed 004's onboarding checklist: one row per milestone with owner, dates, evidence and scheduled items."""
    rows = [["Milestone", "Name", "Owner", "Target date", "Status", "Completed on", "Evidence", "Scheduled items"]]
    for m in plan.milestones.select_related("owner").order_by("code"):
        rows.append(
            [
                m.code,
                m.name,
                m.owner.name if m.owner else m.owner_role,
                m.target_date.isoformat() if m.target_date else "",
                m.get_status_display(),
                m.completed_on.isoformat() if m.completed_on else "",
                m.evidence,
                "; ".join(m.scheduled_items or []),
            ]
        )
    return rows
