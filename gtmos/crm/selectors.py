"""Reads for the CRM pages. Each takes the user and starts from ``visible_to(user)``."""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value, When

from gtmos.audit.models import Event
from gtmos.core.sorting import Column, Sort, SortState

from .models import Account, Contact, ConvIntelligenceCall, Opportunity, Stage, UsageDaily

ACCOUNT_SORT = Sort(
    [
        Column("name", "Account", ("name",)),
        Column("segment", "Segment", ("segment",)),
        Column("owner", "Owner", ("owner__name",)),
        Column("csm", "CSM", ("csm__name",)),
        Column("onboarding", "Onboarding", ("onboarding_status",)),
        Column("renewal", "Renewal", ("renewal_date",)),
        Column("arr", "ARR", ("arr",), desc_first=True, numeric=True),
    ],
    default="name",
)
# The stage ladder's order, not the alphabet's (Prospecting before Discovery before Demo …).
STAGE_RANK = Case(
    *[When(stage=s.value, then=Value(i)) for i, s in enumerate(Stage.ladder())],
    default=Value(99),
    output_field=IntegerField(),
)
OPPORTUNITY_SORT = Sort(
    [
        Column("name", "Deal", ("name",)),
        Column("account", "Account", ("account__name",)),
        Column("stage", "Stage", (STAGE_RANK,)),
        Column("owner", "Owner", ("owner__name",)),
        Column("close", "Close", ("close_date",)),
        Column("acv", "ACV", ("acv",), desc_first=True, numeric=True),
        Column("health", "Health", ("deal_health_score",), desc_first=True, numeric=True),
    ],
    default="acv",
    default_descending=True,
)


def account_list(*, user, q: str = "", segment: str = "", sort: SortState | None = None) -> QuerySet[Account]:
    qs = Account.objects.visible_to(user).select_related("owner", "am", "csm")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(domain__icontains=q) | Q(external_id=q))
    if segment:
        qs = qs.filter(segment=segment)
    return qs.order_by(*(sort or ACCOUNT_SORT.default).order_by)


def account_get(*, user, pk: int) -> Account:
    """The one access check for an account page and every fragment of it (404 when not visible)."""
    return Account.objects.visible_to(user).select_related("owner", "am", "csm").get(pk=pk)


def account_summary(*, account: Account) -> dict:
    """Open deals (count, ACV), contacts and the last call in one round trip (three correlated subqueries over
    the account's own rows; the account 360 reads it on every visit)."""

    def per_account(qs, **aggregate):
        return Subquery(
            qs.filter(account=OuterRef("pk")).order_by().values("account").annotate(**aggregate).values(*aggregate)
        )

    open_deals = Opportunity.objects.exclude(stage__in=["closed_won", "closed_lost"])
    row = (
        Account.objects.filter(pk=account.pk)
        .annotate(
            open_count=per_account(open_deals, n=Count("id")),
            open_acv=per_account(open_deals, acv=Sum("acv")),
            contact_count=per_account(Contact.objects.all(), n=Count("id")),
            last_call=per_account(ConvIntelligenceCall.objects.all(), at=Max("occurred_at")),
        )
        .values("open_count", "open_acv", "contact_count", "last_call")
        .get()
    )
    return {
        "open_opportunities": {"count": row["open_count"] or 0, "acv": row["open_acv"]},
        "contacts": row["contact_count"] or 0,
        "last_call": row["last_call"],
    }


def account_usage(*, account: Account, days: int = 30) -> list[UsageDaily]:
    rows = list(account.usage_days.order_by("-day")[:days])
    rows.reverse()
    return rows


def account_calls(*, account: Account, limit: int = 25) -> QuerySet[ConvIntelligenceCall]:
    return account.calls.select_related("owner", "opportunity").order_by("-occurred_at")[:limit]


def account_timeline(*, account: Account, limit: int = 50) -> QuerySet[Event]:
    return Event.objects.filter(account_id=account.pk).select_related("actor").order_by("-occurred_at", "-id")[:limit]


def opportunity_list(
    *, user, q: str = "", stage: str = "", open_only: bool = True, sort: SortState | None = None
) -> QuerySet[Opportunity]:
    qs = Opportunity.objects.visible_to(user).select_related("account", "owner")
    if open_only:
        qs = qs.exclude(stage__in=["closed_won", "closed_lost"])
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(account__name__icontains=q))
    if stage:
        qs = qs.filter(stage=stage)
    return qs.order_by(*(sort or OPPORTUNITY_SORT.default).order_by)


def opportunity_get(*, user, pk: int) -> Opportunity:
    return Opportunity.objects.visible_to(user).select_related("account", "owner", "se", "am", "csm", "sdr").get(pk=pk)
