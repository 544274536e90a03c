"""Reads for the health pages. Every one starts from a ``visible_to(user)`` queryset and runs a fixed
number of queries whatever the size of the book."""

from __future__ import annotations

import datetime as dt

from django.db.models import Avg, Case, Count, DecimalField, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from gtmos.crm.access import employee_of, sees_everything
from gtmos.crm.models import Account, Employee

from .models import (
    OPEN_STAGES,
    ChurnRiskLog,
    CustomerHealthLog,
    HealthOverride,
    HealthRescore,
    HealthSettings,
    Playbook,
    RiskStage,
    Tier,
)

RISK_RANK = Case(
    When(tier=Tier.CRITICAL, then=Value(0)),
    When(tier=Tier.HIGH, then=Value(1)),
    When(tier=Tier.MEDIUM, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)
SORTS = {
    "risk": (RISK_RANK.asc(), F("score").asc(), "account__name"),
    "score": (F("score").desc(), "account__name"),
    "trend": (F("score_change").asc(nulls_last=True), "account__name"),
    "renewal": (F("account__renewal_date").asc(nulls_last=True), "account__name"),
    "arr": (F("account__arr").desc(), "account__name"),
    "name": ("account__name",),
}
MONEY = DecimalField(max_digits=16, decimal_places=2)
MANAGE_ROLES = ("csm", "am", "manager", "slm", "revops", "exec")


def can_manage(user) -> bool:
    """Who may override a score or move a risk case (on accounts they can see)."""
    employee = employee_of(user)
    return user.is_superuser or (employee is not None and employee.role in MANAGE_ROLES)


def latest_day() -> dt.date | None:
    return CustomerHealthLog.objects.order_by("-day").values_list("day", flat=True).first()


def first_day() -> dt.date | None:
    return CustomerHealthLog.objects.order_by("day").values_list("day", flat=True).first()


def _open_stage():
    return Subquery(
        ChurnRiskLog.objects.filter(account_id=OuterRef("account_id"), stage__in=OPEN_STAGES).values("stage")[:1]
    )


def book(
    *,
    user,
    day: dt.date,
    q: str = "",
    tier: str = "",
    segment: str = "",
    onboarding: str = "",
    renewal_within: int | None = None,
    rep: int | None = None,
    sort: str = "risk",
    open_stage: bool = True,
):
    """The CSM/AM book: each visible customer's record for ``day`` with its open risk stage (``risk_stage``;
    ``open_stage=False`` for a reader that does not show it: a correlated subquery per row)."""
    records = (
        CustomerHealthLog.objects.visible_to(user)
        .filter(day=day)
        .select_related("account", "account__csm", "account__am")
    )
    if open_stage:
        records = records.annotate(risk_stage=_open_stage())
    if q:
        records = records.filter(account__name__icontains=q)
    if tier:
        records = records.filter(tier=tier)
    if segment:
        records = records.filter(lifecycle_segment=segment)
    if onboarding in ("yes", "no"):
        records = records.filter(in_onboarding=onboarding == "yes")
    if renewal_within is not None:
        records = records.filter(
            account__renewal_date__gte=day, account__renewal_date__lte=day + dt.timedelta(days=renewal_within)
        )
    if rep:
        records = records.filter(Q(account__csm_id=rep) | Q(account__am_id=rep) | Q(account__owner_id=rep))
    return records.order_by(*SORTS.get(sort, SORTS["risk"]))


def with_rescores(records) -> list:
    """Attach to each of a page's daily records (``r.now``) the account's newest intraday re-score made after
    it, or None: the book sorts and filters by the day's record of truth and shows what the CSM would see on
    the explain page now. One query for the page, whatever its size."""
    records = list(records)
    if not records:
        return records
    since = min(r.created_at for r in records)
    newest = {
        r.account_id: r
        for r in HealthRescore.objects.filter(account_id__in=[r.account_id for r in records], scored_at__gte=since)
        .order_by("account_id", "-scored_at")
        .distinct("account_id")
    }
    for record in records:
        rescore = newest.get(record.account_id)
        record.now = rescore if rescore is not None and rescore.scored_at >= record.created_at else None
    return records


def account_get(*, user, pk: int) -> Account:
    return Account.objects.visible_to(user).select_related("csm", "am", "owner").get(pk=pk)


def account_health(*, account: Account, days: int = 90) -> dict:
    """The explain page: today's record, the trend, the active override, the open case and the playbook."""
    history = list(
        CustomerHealthLog.objects.filter(account=account)
        .order_by("-day")
        .values("day", "score", "computed_score", "tier", "score_change", "drivers", "in_onboarding")[:days]
    )
    history.reverse()
    record = (
        CustomerHealthLog.objects.filter(account=account)
        .select_related("override", "override__set_by")
        .order_by("-day")
        .first()
    )
    case = (
        ChurnRiskLog.objects.filter(account=account)
        .select_related("playbook")
        .prefetch_related("tasks__owner", "notes__author")
        .order_by("-opened_at")
        .first()
    )
    last_move = next((h for h in reversed(history) if h["score_change"]), None)
    # Re-scored on the signal since the daily record (issue 21): the newest re-score is the current record.
    rescores = list(
        HealthRescore.objects.filter(account=account)
        .select_related("override", "override__set_by")
        .order_by("-scored_at")[:10]
    )
    since = record.created_at if record is not None else None
    rescores = [r for r in rescores if since is None or r.scored_at >= since]  # today's, after the daily run
    if rescores:
        record = rescores[0]
        if record.score_change:
            last_move = {
                "day": record.day,
                "at": record.scored_at,
                "why": record.why,
                "score_change": record.score_change,
                "drivers": record.drivers,
            }
    return {
        "record": record,
        "history": history,
        "case": case,
        "last_move": last_move,
        "rescores": rescores,
        "override": HealthOverride.objects.active().filter(account=account).select_related("set_by").first(),
    }


def playbook_for(*, tenure: str, stage: str, playbooks: list[Playbook] | None = None) -> Playbook | None:
    """The most specific active playbook: the account's tenure segment first, then "any segment"."""
    candidates = (
        playbooks if playbooks is not None else list(Playbook.objects.filter(active=True).prefetch_related("steps"))
    )
    by_key = {(p.segment, p.risk_stage): p for p in candidates if p.active}
    return by_key.get((tenure, stage)) or by_key.get(("any", stage))


def segment_playbook(*, tenure: str) -> Playbook | None:
    return playbook_for(tenure=tenure, stage="healthy")


def portfolio(*, user, day: dt.date, by: str = "csm") -> list[dict]:
    """The manager's roll-up: one row per CSM (or AM) in the user's visibility."""
    field = "account__am" if by == "am" else "account__csm"
    settings = HealthSettings.load()
    at_risk = Q(tier__in=(Tier.HIGH, Tier.CRITICAL))
    rows = (
        CustomerHealthLog.objects.visible_to(user)
        .filter(day=day)
        .values(f"{field}_id", f"{field}__name")
        .annotate(
            accounts=Count("id"),
            avg=Avg("score"),
            low=Count("id", filter=Q(tier=Tier.LOW)),
            medium=Count("id", filter=Q(tier=Tier.MEDIUM)),
            high=Count("id", filter=Q(tier=Tier.HIGH)),
            critical=Count("id", filter=Q(tier=Tier.CRITICAL)),
            arr=Coalesce(Sum("account__arr"), Value(0), output_field=MONEY),
            arr_at_risk=Coalesce(Sum("account__arr", filter=at_risk), Value(0), output_field=MONEY),
            drops=Count("id", filter=Q(score_change__lte=-settings.mover_points)),
            onboarding=Count("id", filter=Q(in_onboarding=True)),
        )
        .order_by("avg")
    )
    return [
        {
            "rep_id": r[f"{field}_id"],
            "rep": r[f"{field}__name"] or "Unassigned",
            **{
                k: r[k]
                for k in (
                    "accounts",
                    "avg",
                    "low",
                    "medium",
                    "high",
                    "critical",
                    "arr",
                    "arr_at_risk",
                    "drops",
                    "onboarding",
                )
            },
        }
        for r in rows
    ]


def dashboard(*, user, day: dt.date, days: int = 90) -> dict:
    """Seed 004's health dashboard: tier × segment distribution, movers, trend lines."""
    visible = CustomerHealthLog.objects.visible_to(user)
    today = visible.filter(day=day)
    matrix = {
        (r["tier"], r["lifecycle_segment"]): r["n"]
        for r in today.values("tier", "lifecycle_segment").annotate(n=Count("id")).order_by()
    }
    movers = today.exclude(score_change__isnull=True).exclude(score_change=0).select_related("account")
    trend = list(
        visible.filter(day__gt=day - dt.timedelta(days=days), day__lte=day)
        .values("day")
        .annotate(
            avg=Avg("score"),
            low=Count("id", filter=Q(tier=Tier.LOW)),
            medium=Count("id", filter=Q(tier=Tier.MEDIUM)),
            high=Count("id", filter=Q(tier=Tier.HIGH)),
            critical=Count("id", filter=Q(tier=Tier.CRITICAL)),
        )
        .order_by("day")
    )
    return {
        "matrix": matrix,
        "drops": list(movers.filter(score_change__lt=0).order_by("score_change", "account__name")[:10]),
        "gains": list(movers.filter(score_change__gt=0).order_by("-score_change", "account__name")[:10]),
        "trend": trend,
        "total": sum(matrix.values()),
    }


RISK_REPORT_STAGES = ("open", "all", *RiskStage.values)


def risk_report(*, user, day: dt.date | None, stage: str = "open"):
    cases = ChurnRiskLog.objects.visible_to(user).select_related("account", "account__csm")
    if stage == "open":
        cases = cases.filter(stage__in=OPEN_STAGES)
    elif stage != "all":
        cases = cases.filter(stage=stage)
    current = CustomerHealthLog.objects.filter(account_id=OuterRef("account_id"), day=day)
    return cases.annotate(
        score_now=Subquery(current.values("score")[:1]),
        tier_now=Subquery(current.values("tier")[:1]),
        open_tasks=Count("tasks", filter=Q(tasks__status="open")),
        overdue_tasks=Count("tasks", filter=Q(tasks__status="open", tasks__due_on__lt=day or dt.date.min)),
    ).order_by("stage_entered_at")


def team_reps(*, user):
    """CSMs and AMs the user may filter the book by: those on the accounts the user can see."""
    reps = Employee.objects.filter(role__in=("csm", "am"), is_active=True).order_by("name")
    if sees_everything(user):
        return reps
    accounts = Account.objects.visible_to(user)
    return reps.filter(Q(pk__in=accounts.values("csm_id")) | Q(pk__in=accounts.values("am_id")))
