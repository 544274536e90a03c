"""Reads for the CRM pages. Each takes the user and starts from ``visible_to(user)``."""

from __future__ import annotations

from django.db.models import Count, Max, Q, QuerySet, Sum

from gtmos.audit.models import Event

from .models import Account, ConvIntelligenceCall, Opportunity, UsageDaily

ACCOUNT_SORTS = {
    "name": "name",
    "-arr": "-arr",
    "renewal": "renewal_date",
    "segment": "segment",
}


def account_list(*, user, q: str = "", segment: str = "", sort: str = "name") -> QuerySet[Account]:
    qs = Account.objects.visible_to(user).select_related("owner", "am", "csm")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(domain__icontains=q) | Q(external_id=q))
    if segment:
        qs = qs.filter(segment=segment)
    return qs.order_by(ACCOUNT_SORTS.get(sort, "name"), "id")


def account_get(*, user, pk: int) -> Account:
    """The one access check for an account page and every fragment of it (404 when not visible)."""
    return Account.objects.visible_to(user).select_related("owner", "am", "csm").get(pk=pk)


def account_summary(*, account: Account) -> dict:
    return {
        "open_opportunities": account.opportunities.exclude(stage__in=["closed_won", "closed_lost"]).aggregate(
            count=Count("id"), acv=Sum("acv")
        ),
        "contacts": account.contacts.count(),
        "last_call": account.calls.aggregate(at=Max("occurred_at"))["at"],
    }


def account_usage(*, account: Account, days: int = 30) -> list[UsageDaily]:
    rows = list(account.usage_days.order_by("-day")[:days])
    rows.reverse()
    return rows


def account_calls(*, account: Account, limit: int = 25) -> QuerySet[ConvIntelligenceCall]:
    return account.calls.select_related("owner", "opportunity").order_by("-occurred_at")[:limit]


def account_timeline(*, account: Account, limit: int = 50) -> QuerySet[Event]:
    return Event.objects.filter(account_id=account.pk).select_related("actor").order_by("-occurred_at", "-id")[:limit]


def opportunity_list(*, user, q: str = "", stage: str = "", open_only: bool = True) -> QuerySet[Opportunity]:
    qs = Opportunity.objects.visible_to(user).select_related("account", "owner")
    if open_only:
        qs = qs.exclude(stage__in=["closed_won", "closed_lost"])
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(account__name__icontains=q))
    if stage:
        qs = qs.filter(stage=stage)
    return qs.order_by("-acv", "id")


def opportunity_get(*, user, pk: int) -> Opportunity:
    return (
        Opportunity.objects.visible_to(user)
        .select_related("account", "owner", "se", "am", "csm", "sdr")
        .get(pk=pk)
    )
