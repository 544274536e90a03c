from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from . import selectors
from .models import Account, Opportunity, Segment, Stage

PAGE_SIZE = 50
ACCOUNT_TABS = ("timeline", "contacts", "opportunities", "calls", "usage")


def _account_for(request, pk: int) -> Account:
    try:
        return selectors.account_get(user=request.user, pk=pk)
    except Account.DoesNotExist:
        raise Http404("No such account") from None


@login_required
def account_list(request):
    q = request.GET.get("q", "").strip()
    segment = request.GET.get("segment", "")
    sort = selectors.ACCOUNT_SORT.parse(request.GET.get("sort"))
    accounts = selectors.account_list(user=request.user, q=q, segment=segment, sort=sort)
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "crm/account_list.html#results" if request.htmx else "crm/account_list.html"
    return render(
        request,
        template,
        {
            "page": page,
            "q": q,
            "segment": segment,
            "sort": sort,
            "sort_spec": selectors.ACCOUNT_SORT,
            "segments": Segment.choices,
        },
    )


def _account_page(request, account, tab: str = "timeline"):
    from gtmos.core import account360

    return render(
        request,
        "crm/account_detail.html",
        {
            "account": account,
            "summary": selectors.account_summary(account=account),
            "health": account360.health_block(account=account),
            "onboarding": account360.onboarding_block(account=account, user=request.user),
            "renewal": account360.renewals_block(account=account),
            "contacts": account.contacts.order_by("-is_executive_sponsor", "buying_role", "name")[:12],
            "timeline_kinds": account360.TIMELINE_KINDS,
            "initial_tab": tab,
        },
    )


@login_required
def account_detail(request, pk: int):
    return _account_page(request, _account_for(request, pk))


@login_required
def account_tab(request, pk: int, tab: str):
    """htmx fragments of the account page; same access check as the page. Opened directly (a shared link, a new
    tab), the whole page renders with that section (STYLE 22)."""
    account = _account_for(request, pk)
    if not request.htmx and tab in ACCOUNT_TABS:
        return _account_page(request, account, tab)
    if tab == "contacts":
        context = {"contacts": account.contacts.order_by("-is_executive_sponsor", "name")}
    elif tab == "opportunities":
        context = {"opportunities": account.opportunities.select_related("owner").order_by("-created_at")}
    elif tab == "calls":
        context = {"calls": selectors.account_calls(account=account)}
    elif tab == "usage":
        usage = selectors.account_usage(account=account)
        peak = max((u.active_seats for u in usage), default=0) or 1
        context = {"usage": usage, "peak": peak}
    elif tab == "timeline":
        from gtmos.core import account360

        kind = request.GET.get("kind", "")
        kind = kind if kind in account360.TIMELINE_KINDS else ""
        context = {
            "items": account360.timeline(account=account, kind=kind),
            "kind": kind,
            "timeline_kinds": account360.TIMELINE_KINDS,
        }
    else:
        raise Http404("No such tab")
    context["account"] = account
    return render(request, f"crm/account_detail.html#tab-{tab}", context)


@login_required
def opportunity_list(request):
    q = request.GET.get("q", "").strip()
    stage = request.GET.get("stage", "")
    sort = selectors.OPPORTUNITY_SORT.parse(request.GET.get("sort"))
    opportunities = selectors.opportunity_list(user=request.user, q=q, stage=stage, sort=sort)
    page = Paginator(opportunities, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "crm/opportunity_list.html#results" if request.htmx else "crm/opportunity_list.html"
    return render(
        request,
        template,
        {
            "page": page,
            "q": q,
            "stage": stage,
            "stages": Stage.choices,
            "sort": sort,
            "sort_spec": selectors.OPPORTUNITY_SORT,
        },
    )


@login_required
def opportunity_detail(request, pk: int):
    try:
        opportunity = selectors.opportunity_get(user=request.user, pk=pk)
    except Opportunity.DoesNotExist:
        raise Http404("No such opportunity") from None
    calls = list(opportunity.calls.select_related("owner").order_by("-occurred_at")[:20])
    return render(
        request,
        "crm/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "quotes": opportunity.quotes.prefetch_related("lines__product"),
            "calls": calls,
            "stage_changes": opportunity.stage_changes.all(),
            # The next step is the latest call's first agreed next step; stakeholders are the account's contacts.
            "next_step": next((step for c in calls for step in (c.next_steps or [])[:1]), ""),
            "stakeholders": opportunity.account.contacts.order_by("-is_executive_sponsor", "buying_role", "name")[:12],
            "plan": opportunity.onboarding_plan if hasattr(opportunity, "onboarding_plan") else None,
        },
    )
