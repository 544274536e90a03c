"""Reads for the role-shaped home pages (issue 20; STYLE 21: a home page is a to-do list).

Each role lands on what it must act on today, most urgent first, each row one click from the record:
- CSM / AM: renewals in the next ``HOME_RENEWAL_DAYS`` with health tier and trend, tasks due, overdue
  milestones, at-risk accounts, plans projected to miss TTV;
- post-sales: MAPs awaiting sign-off with the sign-off window's countdown, resource flags, risk notes;
- SDR: white-glove deals waiting on the SDR, cadence follow-ups due;
- AE / SE: pipeline by stage with deal health and pre-boarding status;
- managers: the team roll-up (and the coaching queue, registered by the coaching app);
- SLM: comp holds, escalations and overrides awaiting them.

Every panel starts from a ``visible_to(user)`` queryset and costs a fixed number of queries whatever the
book size. Apps that core must not import (coaching reads everything; nothing imports coaching) add their
panels through ``register_panel`` from their AppConfig.ready.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Avg, Count, F, Q, Sum, Window

from gtmos.core import clock
from gtmos.crm.access import employee_of, sees_everything

# Defaults (settings may override; recorded in NOTES-i20 for the README).
RENEWAL_DAYS = getattr(settings, "HOME_RENEWAL_DAYS", 120)  # seed 001 / DESIGN: renewal opened late < 120 days
CADENCE_GAP_DAYS = getattr(settings, "HOME_CADENCE_GAP_DAYS", 3)  # an unanswered touch is due a next step after
ROWS = 10

BOOK_ROLES = ("csm", "am")
TEAM_ROLES = ("manager", "slm")


@dataclass
class Panel:
    """One block of a home: a title, rows for its template, the total (rows may be the first ROWS), a link."""

    key: str
    title: str
    template: str
    rows: list = field(default_factory=list)
    total: int | None = None
    link: str = ""
    link_label: str = ""
    empty: str = "Nothing here today."
    extra: dict = field(default_factory=dict)
    wide: bool = False  # a table with many columns spans the page's width

    @property
    def count(self) -> int:
        return self.total if self.total is not None else len(self.rows)


_REGISTRY: list[tuple[tuple[str, ...], Callable]] = []


def first_rows(qs, n: int = ROWS) -> tuple[list, int]:
    """The first ``n`` rows and the total in one query: COUNT(*) OVER () rides on each row (computed before the
    LIMIT), so a panel no longer pays a second COUNT over the same filter (issue 20: page speed)."""
    rows = list(qs.annotate(_panel_total=Window(Count("pk")))[:n])
    return rows, (rows[0]._panel_total if rows else 0)


def register_panel(roles: tuple[str, ...], builder: Callable) -> None:
    """``builder(user=..., employee=..., today=...) -> Panel | None`` is added to the homes of ``roles``."""
    if (roles, builder) not in _REGISTRY:
        _REGISTRY.append((roles, builder))


def role_of(user) -> str | None:
    employee = employee_of(user)
    if employee is not None:
        return employee.role
    return "revops" if getattr(user, "is_superuser", False) else None


# --- CSM / AM ----------------------------------------------------------------------------------------------------


def renewals(*, user, today: dt.date, day: dt.date | None) -> Panel:
    """Customers renewing within RENEWAL_DAYS, soonest first, each with its latest health tier and trend."""
    from django.urls import reverse

    from gtmos.health import selectors as health

    panel = Panel(
        "renewals",
        f"Renewals in the next {RENEWAL_DAYS} days",
        "core/panels/renewals.html",
        link=reverse("health:book") + f"?renewal={RENEWAL_DAYS}&sort=renewal",
        link_label="All renewals",
        empty=f"No renewal in the next {RENEWAL_DAYS} days.",
    )
    if day is None:
        return panel
    records = health.book(user=user, day=day, renewal_within=RENEWAL_DAYS, sort="renewal", open_stage=False)
    panel.rows, panel.total = first_rows(_book_row(records))
    for record in panel.rows:
        record.days_to_renewal = (record.account.renewal_date - today).days
    return panel


def _book_row(records):
    """A health-book row as the renewals and at-risk panels show it: the record's tier, score and change and
    the account's name, renewal date and ARR. The book's CSM and AM joins and the other ~60 columns cost more
    to compile and load than the panel's whole query (issue 20: page speed); a column a panel template starts
    to read must be named here, or each row pays a query for it (tests/core/test_homes.py counts them)."""
    return records.select_related(None).select_related("account").only(*BOOK_ROW_FIELDS)


BOOK_ROW_FIELDS = (
    "account_id",
    "tier",
    "score",
    "score_change",
    "account__name",
    "account__renewal_date",
    "account__arr",
)


def at_risk(*, user, day: dt.date | None) -> Panel:
    from django.urls import reverse

    from gtmos.health import selectors as health
    from gtmos.health.models import Tier

    panel = Panel(
        "at_risk",
        "At-risk accounts",
        "core/panels/at_risk.html",
        link=reverse("health:book") + "?sort=risk",
        link_label="Health book",
        empty="No account is at high or critical risk.",
    )
    if day is None:
        return panel
    records = health.book(user=user, day=day, sort="risk").filter(tier__in=(Tier.CRITICAL, Tier.HIGH))
    panel.rows, panel.total = first_rows(_book_row(records))
    return panel


def tasks_due(*, user, employee, today: dt.date) -> Panel:
    """Retention-playbook tasks and customer-success tasks due today or overdue, oldest first."""
    from gtmos.crm.models import Account
    from gtmos.health.models import RetentionTask
    from onboarding.models import SuccessTask

    visible = Account.objects.visible_to(user).values("pk")
    mine = Q(owner=employee) if employee is not None and employee.role not in TEAM_ROLES else Q()
    # Only the columns the panel shows (the task's title or kind, its due date, the account's name).
    retention = list(
        RetentionTask.objects.filter(mine, account__in=visible, status=RetentionTask.Status.OPEN, due_on__lte=today)
        .select_related("account")
        .only("title", "due_on", "account__name")[:ROWS]
    )
    success = list(
        SuccessTask.objects.filter(mine, account__in=visible, done_at__isnull=True, due_date__lte=today)
        .select_related("account")
        .only("kind", "due_date", "account__name")
        .order_by("due_date", "pk")[:ROWS]
    )
    rows = [
        {
            "title": t.title,
            "account": t.account,
            "due": t.due_on,
            "kind": "Retention playbook",
            "overdue": (today - t.due_on).days,
        }
        for t in retention
    ]
    rows += [
        {
            "title": t.get_kind_display(),
            "account": t.account,
            "due": t.due_date,
            "kind": "Customer success",
            "overdue": (today - t.due_date).days,
        }
        for t in success
    ]
    rows.sort(key=lambda r: (r["due"], r["account"].name))
    return Panel("tasks", "Tasks due today", "core/panels/tasks.html", rows=rows[:ROWS], empty="No task due today.")


def overdue_milestones(*, user, employee, today: dt.date) -> Panel:
    from django.urls import reverse

    from onboarding.models import MilestoneItem, OnboardingPlan

    plans = OnboardingPlan.objects.visible_to(user).filter(status="active").values("pk")
    items = (
        MilestoneItem.objects.filter(plan__in=plans, status="pending", target_date__lt=today)
        .select_related("plan__account", "owner")
        # The FSM status fields too: django-fsm reads them as each instance is built (a deferred one is a query).
        .only(
            "plan_id",
            "status",
            "code",
            "name",
            "target_date",
            "owner_role",
            "plan__status",
            "plan__account__name",
            "owner__name",
        )
        .order_by("target_date", "code", "pk")
    )
    if employee is not None and employee.role == "impl_engineer":
        items = items.filter(owner=employee)
    rows, total = first_rows(items)
    for item in rows:
        item.days_overdue = (today - item.target_date).days
    return Panel(
        "overdue",
        "Overdue milestones",
        "core/panels/milestones.html",
        rows=rows,
        total=total,
        link=reverse("onboarding:cockpit"),
        link_label="Onboarding cockpit",
        empty="No milestone is past its target date.",
    )


def blocking_plans(*, user) -> Panel:
    """Plans projected to miss TTV (the cockpit's projection), with the milestones that block them."""
    from django.urls import reverse

    from onboarding import selectors as onboarding

    views = onboarding.ttv_misses(user=user)
    return Panel(
        "blocking",
        "Plans at risk of missing TTV",
        "core/panels/blocking.html",
        rows=views[:ROWS],
        total=len(views),
        link=reverse("onboarding:cockpit"),
        link_label="Onboarding cockpit",
        empty="Every active plan is on track for its TTV target.",
    )


# --- Post-sales --------------------------------------------------------------------------------------------------


def signoff_queue(*, user, today: dt.date) -> Panel:
    """MAPs awaiting post-sales sign-off, least time left first, with the window's countdown."""
    from django.urls import reverse

    from onboarding.models import MutualActionPlan, OnboardingSettings
    from onboarding.models.plan import SignoffStatus

    window = OnboardingSettings.load().map_signoff_window_days
    # The review queue's pending list (onboarding.selectors.review_queue: the same MAPs, order and cap), reading
    # only what the countdown and the panel show; a column the template starts to read must be named here.
    pending = (
        MutualActionPlan.objects.visible_to(user)
        .filter(postsales_signoff_status=SignoffStatus.PENDING)
        .select_related("opportunity__owner", "plan")
        .only(
            "postsales_signoff_status",
            "opportunity__name",
            "opportunity__acv",
            "opportunity__close_date",
            "opportunity__owner__name",
            "plan__status",
            "plan__contract_start_date",
        )
        .order_by("plan__contract_start_date", "pk")[:200]
    )
    rows = []
    for map_ in pending:
        start = getattr(map_.plan, "contract_start_date", None) if hasattr(map_, "plan") else None
        closes = start or map_.opportunity.close_date
        deadline = closes + dt.timedelta(days=window) if closes else None
        map_.signoff_deadline = deadline
        map_.days_left = (deadline - today).days if deadline else None
        rows.append(map_)
    rows.sort(key=lambda m: (m.days_left is None, m.days_left if m.days_left is not None else 0, m.pk))
    return Panel(
        "signoff",
        "MAPs awaiting your sign-off",
        "core/panels/signoff.html",
        rows=rows[:ROWS],
        total=len(rows),
        link=reverse("onboarding:review_list"),
        link_label="Review queue",
        empty="No MAP is waiting for sign-off.",
        extra={"window": window},
    )


def resource_flags(*, user) -> Panel:
    from gtmos.audit.models import ExceptionLog
    from gtmos.crm.models import Opportunity

    flags = (
        ExceptionLog.objects.filter(
            exception_type="resource_flag",
            status=ExceptionLog.Status.ACTIVE,
            opportunity__in=Opportunity.objects.visible_to(user).values("pk"),
        )
        .select_related("opportunity", "employee")
        .only("opportunity_id", "reason", "opportunity__name", "employee__name")
        .order_by("-opened_at")
    )
    rows, total = first_rows(flags)
    return Panel(
        "resource_flags",
        "Resource flags",
        "core/panels/resource_flags.html",
        rows=rows,
        total=total,
        empty="No deal is flagged as needing implementation services.",
    )


def risk_notes(*, user) -> Panel:
    """Risks post-sales documented on acceptance, for deals still onboarding (the CSM reads them too)."""
    from onboarding.models import MutualActionPlan

    maps = (
        MutualActionPlan.objects.visible_to(user)
        .exclude(risk_notes="")
        .filter(plan__status="active")
        .select_related("opportunity", "signoff_by")
        .only("postsales_signoff_status", "risk_notes", "signoff_timestamp", "opportunity__name", "signoff_by__name")
        .order_by("-signoff_timestamp", "-pk")
    )
    rows = list(maps[:ROWS])
    return Panel(
        "risk_notes",
        "Risk notes on onboarding deals",
        "core/panels/risk_notes.html",
        rows=rows,
        empty="No risk notes on deals in onboarding.",
    )


# --- Sales -------------------------------------------------------------------------------------------------------


def pipeline_by_stage(*, user, employee) -> Panel:
    """Open deals by stage (count, ACV, average deal health) and the late-stage deals with pre-boarding status."""
    from django.urls import reverse

    from gtmos.crm.models import Opportunity, Stage
    from onboarding.models import OnboardingSettings

    deals = Opportunity.objects.visible_to(user).exclude(stage__in=[Stage.CLOSED_WON, Stage.CLOSED_LOST])
    if employee is not None and employee.role == "ae":
        deals = deals.filter(owner=employee)
    elif employee is not None and employee.role == "se":
        deals = deals.filter(se=employee)
    by_stage = {
        r["stage"]: r
        for r in deals.values("stage")
        .annotate(n=Count("pk"), acv=Sum("acv"), health=Avg("deal_health_score"))
        .order_by()
    }
    stages = [
        {"stage": s.label, "value": s.value, **by_stage.get(s.value, {"n": 0, "acv": 0, "health": None})}
        for s in Stage.ladder()
        if s != Stage.CLOSED_WON
    ]
    late = list(
        deals.filter(stage__in=Stage.at_or_after(Stage.PROPOSAL))
        .select_related("onboarding_plan")
        .only("name", "stage", "close_date", "deal_health_score", "onboarding_plan__status")
        .order_by("close_date", "pk")[:ROWS]
    )
    return Panel(
        "pipeline",
        "Pipeline by stage",
        "core/panels/pipeline.html",
        rows=late,
        wide=True,
        link=reverse("crm:opportunity_list"),
        link_label="All opportunities",
        empty="No open deal at Proposal or later.",
        extra={"stages": stages, "threshold": OnboardingSettings.load().preclose_health_threshold},
    )


def sdr_work(*, user, employee, today: dt.date) -> Panel:
    """Cadence follow-ups due: leads whose latest touch by this SDR is older than CADENCE_GAP_DAYS, never answered
    (no reply, no meeting), and whose cadence has steps left. A cadence's length is the highest step recorded for
    it (the sending tool owns the sequence). Three grouped reads over the SDR's own touches, no per-lead query:
    the cadences' lengths (a handful of rows), the due leads' first ROWS with their total — each lead's step
    compared with its cadence's length in SQL, so the SDR's thousand-odd leads are no longer walked in Python
    (issue 20: page speed) — and those leads' latest touches."""
    from django.db.models import Case, IntegerField, Max, Value, When

    from gtmos.crm.models import CadenceEventLog

    if employee is None:
        return Panel("cadence", "Cadence steps due", "core/panels/cadence.html")
    touches = CadenceEventLog.objects.filter(sdr=employee, lead__isnull=False)
    lengths = dict(touches.values_list("cadence_id").annotate(n=Max("step")).order_by())
    due_before = clock.now() - dt.timedelta(days=CADENCE_GAP_DAYS)
    # A lead is due a step while its highest step is below its cadence's length (a CASE over the few cadences:
    # a correlated subquery per lead cost seconds).
    length = Case(
        *(When(cadence_id=cadence, then=Value(n)) for cadence, n in lengths.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    due = list(
        touches.values("lead_id", "cadence_id")
        .annotate(
            last_at=Max("occurred_at"),
            step=Max("step"),
            answered=Count("pk", filter=Q(responded=True) | Q(meeting_booked=True)),
            length=length,
        )
        .filter(last_at__lte=due_before, answered=0, step__lt=F("length"))
        .annotate(total=Window(Count("*")))
        .order_by("last_at", "lead_id")[:ROWS]
    )
    total = due[0]["total"] if due else 0
    latest = (
        touches.filter(lead_id__in=[r["lead_id"] for r in due])
        .order_by("lead_id", "-occurred_at", "-pk")
        .distinct("lead_id")
        .select_related("lead", "account")
        .only(
            "lead_id",
            "cadence_type",
            "cadence_name",
            "step",
            "channel",
            "occurred_at",
            "lead__name",
            "lead__email",
            "account__name",
        )
    )
    rows = sorted(latest, key=lambda t: (t.occurred_at, t.pk))
    for touch in rows:
        touch.next_step = touch.step + 1
        touch.waiting_days = (today - touch.occurred_at.date()).days
    return Panel(
        "cadence",
        "Cadence steps due",
        "core/panels/cadence.html",
        rows=rows,
        total=total,
        empty=f"No cadence step is due: every lead was touched in the last {CADENCE_GAP_DAYS} days or has answered.",
    )


def whiteglove_next(*, user, role: str) -> Panel:
    from django.urls import reverse

    from onboarding.whiteglove import selectors as whiteglove

    rows = whiteglove.waiting_on(user=user, role=role)
    url = "whiteglove:pipeline_sdr" if role == "sdr" else "whiteglove:pipeline_ae"
    return Panel(
        "whiteglove",
        "White-glove deals waiting on you",
        "core/panels/whiteglove.html",
        rows=rows[:ROWS],
        total=len(rows),
        link=reverse(url),
        link_label="White-glove pipeline",
        empty="No white-glove deal is waiting on you.",
    )


# --- Managers and the SLM ----------------------------------------------------------------------------------------


def _health_by_rep(*, user, day: dt.date, field: str) -> list[dict]:
    """Per CSM (``account__csm``) or AM: accounts, average score, at-risk count and ARR at risk on ``day`` — the
    figures of health's portfolio roll-up the team panel shows, without the other seven aggregates and the
    settings read behind them (issue 20: page speed)."""
    from django.db.models import Value
    from django.db.models.functions import Coalesce

    from gtmos.health.models import CustomerHealthLog, Tier
    from gtmos.health.selectors import MONEY

    at_risk = Q(tier__in=(Tier.HIGH, Tier.CRITICAL))
    rows = (
        CustomerHealthLog.objects.visible_to(user)
        .filter(day=day)
        .values(f"{field}_id", f"{field}__name")
        .annotate(
            accounts=Count("id"),
            avg=Avg("score"),
            at_risk=Count("id", filter=at_risk),
            arr_at_risk=Coalesce(Sum("account__arr", filter=at_risk), Value(0), output_field=MONEY),
        )
        .order_by()
    )
    return [
        {
            "rep_id": r[f"{field}_id"],
            "rep": r[f"{field}__name"] or "Unassigned",
            **{k: r[k] for k in ("accounts", "avg", "at_risk", "arr_at_risk")},
        }
        for r in rows
    ]


def team_rollup(*, user, day: dt.date | None) -> Panel:
    """Per rep: accounts, health mix and ARR at risk (from the health roll-up) beside open pipeline."""
    from django.urls import reverse

    from gtmos.crm.models import Opportunity, Stage

    health_rows = {r["rep_id"]: r for r in (_health_by_rep(user=user, day=day, field="account__csm") if day else [])}
    for r in _health_by_rep(user=user, day=day, field="account__am") if day else []:
        health_rows.setdefault(r["rep_id"], r)
    pipeline = {
        r["owner_id"]: r
        for r in Opportunity.objects.visible_to(user)
        .exclude(stage__in=[Stage.CLOSED_WON, Stage.CLOSED_LOST])
        .values("owner_id", "owner__name")
        .annotate(
            deals=Count("pk"),
            acv=Sum("acv"),
            health=Avg("deal_health_score"),
            late=Count("pk", filter=Q(stage__in=Stage.at_or_after(Stage.PROPOSAL))),
        )
        .order_by()
    }
    # The same open deals summed over every owner (the unowned included): the home's pipeline tiles, so a
    # manager's or the SLM's home does not read them again (gtmos/core/selectors.home_context).
    acvs = [r["acv"] for r in pipeline.values() if r["acv"] is not None]
    totals = {
        "count": sum(r["deals"] for r in pipeline.values()),
        "acv": sum(acvs) if acvs else None,
        "late": sum(r["late"] for r in pipeline.values()),
    }
    me = employee_of(user)
    ids = (set(health_rows) | set(pipeline)) - {None, me.pk if me else None}
    rows = []
    for rep_id in ids:
        h, p = health_rows.get(rep_id, {}), pipeline.get(rep_id, {})
        rows.append(
            {
                "rep_id": rep_id,
                "rep": h.get("rep") or p.get("owner__name") or "Unassigned",
                "accounts": h.get("accounts", 0),
                "at_risk": h.get("at_risk", 0),
                "arr_at_risk": h.get("arr_at_risk", 0),
                "avg": h.get("avg"),
                "deals": p.get("deals", 0),
                "acv": p.get("acv") or 0,
                "deal_health": p.get("health"),
            }
        )
    rows.sort(key=lambda r: (-r["at_risk"], -float(r["arr_at_risk"] or 0), r["rep"]))
    return Panel(
        "team",
        "Your team",
        "core/panels/team.html",
        rows=rows[:25],
        total=len(rows),
        wide=True,
        link=reverse("health:portfolio"),
        link_label="Portfolio roll-up",
        empty="No reps in your team yet.",
        extra={"pipeline": totals, "book_url": reverse("health:book")},
    )


def slm_desk(*, user, today: dt.date) -> list[Panel]:
    """Comp holds, open onboarding escalations addressed to the SLM, rejected MAPs awaiting an override and TTV
    change requests awaiting approval."""
    from django.urls import reverse

    from gtmos.audit.models import ExceptionLog
    from gtmos.crm.models import Opportunity
    from onboarding.models import Escalation, MutualActionPlan, OnboardingPlan, TTVChangeRequest
    from onboarding.models.plan import SignoffStatus

    visible_opps = Opportunity.objects.visible_to(user).values("pk")
    holds = (
        ExceptionLog.objects.filter(
            exception_type="map_signoff_hold", status=ExceptionLog.Status.ACTIVE, opportunity__in=visible_opps
        )
        .select_related("opportunity", "employee")
        .only("opportunity_id", "reason", "opened_at", "opportunity__name", "employee__name")
        .order_by("opened_at", "pk")  # pk: holds opened in the same instant in one order every time
    )
    slm_kinds = [
        Escalation.Kind.UNRESPONSIVE_SLM,
        Escalation.Kind.TTV_MISS_SLM,
        Escalation.Kind.MAP_REJECTED,
        Escalation.Kind.TARGETS_UNREALISTIC,
    ]
    escalations = (
        Escalation.objects.filter(
            plan__in=OnboardingPlan.objects.visible_to(user).values("pk"), resolved_at__isnull=True, kind__in=slm_kinds
        )
        .select_related("plan__account")
        .only("plan_id", "kind", "fired_at", "plan__status", "plan__account__name")
        .order_by("fired_at", "pk")
    )
    rejected = (
        MutualActionPlan.objects.visible_to(user)
        .filter(postsales_signoff_status=SignoffStatus.REJECTED, slm_override=False)
        .select_related("opportunity")
        .only("postsales_signoff_status", "rejection_reason", "opportunity__name")
        .order_by("signoff_timestamp", "pk")
    )
    ttv = (
        TTVChangeRequest.objects.filter(
            map__in=MutualActionPlan.objects.visible_to(user).values("pk"), status="pending"
        )
        .select_related("map__account", "requested_by")
        .only(
            "current_days",
            "requested_days",
            "map__postsales_signoff_status",
            "map__account__name",
            "requested_by__name",
        )
        .order_by("pk")
    )
    panels = []
    for key, title, template, qs, link, empty in (
        ("holds", "Comp holds", "core/panels/holds.html", holds, "", "No payout is on hold."),
        (
            "escalations",
            "Escalations to you",
            "core/panels/escalations.html",
            escalations,
            reverse("onboarding:escalation_report"),
            "No open onboarding escalation.",
        ),
        (
            "overrides",
            "Rejected MAPs awaiting your decision",
            "core/panels/overrides.html",
            rejected,
            reverse("onboarding:review_list"),
            "No rejected MAP awaits an override.",
        ),
        (
            "ttv_requests",
            "TTV changes awaiting approval",
            "core/panels/ttv_requests.html",
            ttv,
            "",
            "No TTV change awaits approval.",
        ),
    ):
        rows, total = first_rows(qs)
        for row in rows:
            opened = getattr(row, "opened_at", None) or getattr(row, "fired_at", None)
            row.age_days = (clock.now() - opened).days if opened else None
        panels.append(
            Panel(
                key,
                title,
                template,
                rows=rows,
                total=total,
                link=link,
                link_label="Review queue" if link else "",
                empty=empty,
            )
        )
    return panels


# --- The page ----------------------------------------------------------------------------------------------------


def home_panels(*, user) -> list[Panel]:
    """The panels of ``user``'s home, most urgent first."""
    from gtmos.health import selectors as health

    employee = employee_of(user)
    role = role_of(user)
    today = clock.today()
    day = health.latest_day() if role in (*BOOK_ROLES, *TEAM_ROLES) else None
    panels: list[Panel] = []
    if role in BOOK_ROLES:
        panels += [
            renewals(user=user, today=today, day=day),
            tasks_due(user=user, employee=employee, today=today),
            overdue_milestones(user=user, employee=employee, today=today),
            at_risk(user=user, day=day),
            blocking_plans(user=user),
        ]
    elif role == "post_sales":
        panels += [signoff_queue(user=user, today=today), resource_flags(user=user), risk_notes(user=user)]
    elif role == "sdr":
        panels += [whiteglove_next(user=user, role="sdr"), sdr_work(user=user, employee=employee, today=today)]
    elif role in ("ae", "se"):
        panels += [pipeline_by_stage(user=user, employee=employee)]
        if role == "ae":
            panels += [whiteglove_next(user=user, role="ae")]
    elif role == "impl_engineer":
        panels += [overdue_milestones(user=user, employee=employee, today=today)]
    elif role == "slm":
        panels += slm_desk(user=user, today=today)
        panels += [team_rollup(user=user, day=day)]
    elif role == "manager":
        panels += [
            team_rollup(user=user, day=day),
            at_risk(user=user, day=day),
            renewals(user=user, today=today, day=day),
        ]
    for roles, builder in _REGISTRY:
        if role in roles:
            panel = builder(user=user, employee=employee, today=today)
            if panel is not None:
                panels.append(panel)
    # Something to act on comes first; empty panels keep their place among themselves and say so.
    return sorted(panels, key=lambda p: p.count == 0)


def shows_org_figures(user) -> bool:
    """The book/pipeline tiles are for people who steer the org; reps get their to-do list instead."""
    return sees_everything(user) or role_of(user) in TEAM_ROLES
