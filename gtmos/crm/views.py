from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_POST

from gtmos.core import clock
from gtmos.core.csv_export import csv_response

from . import lists, selectors
from .models import Account, Opportunity, SavedView, Segment, Stage
from .services import lists as list_services

PAGE_SIZE = 50
EXPORT_CHUNK = 2000
LIST_URLS = {"accounts": "crm:account_list", "opportunities": "crm:opportunity_list"}
ACCOUNT_TABS = ("timeline", "contacts", "opportunities", "calls", "usage")


def _account_for(request, pk: int) -> Account:
    try:
        return selectors.account_get(user=request.user, pk=pk)
    except Account.DoesNotExist:
        raise Http404("No such account") from None


def _list_context(request, state, *, page_qs) -> dict:
    """What both lists draw around their table: the page, the state, the user's saved views, the export link."""
    page = Paginator(page_qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = state.query
    views = list(SavedView.objects.filter(user=request.user, page=state.page).only("pk", "name", "query"))
    return {
        "page": page,
        "sort": state.sort,
        "sort_spec": state.spec,
        "state": state,
        "query": query,
        "saved_views": views,
        "active_view": next((v for v in views if v.query == query), None),
    }


@login_required
def account_list(request):
    state = lists.accounts(request.GET)
    accounts = selectors.account_list(user=request.user, **state.filters, sort=state.sort)
    template = "crm/account_list.html#results" if request.htmx else "crm/account_list.html"
    context = _list_context(request, state, page_qs=accounts)
    may_assign = list_services.can_assign_csm(request.user)
    context.update(
        q=state.filters["q"],
        segment=state.filters["segment"],
        segments=Segment.choices,
        may_assign=may_assign,
        csms=list(list_services.assignable_csms(request.user).only("pk", "name")) if may_assign else [],
    )
    return render(request, template, context)


@login_required
def account_export(request):
    """The account list as CSV with the page's filters and sort (only rows the user can see), streamed."""
    state = lists.accounts(request.GET)
    qs = selectors.account_list(user=request.user, **state.filters, sort=state.sort)
    header = [
        "Account",
        "External id",
        "Domain",
        "Segment",
        "Owner",
        "AM",
        "CSM",
        "Onboarding",
        "Customer",
        "Contract start",
        "Renewal",
        "ARR",
    ]
    rows = (
        [
            a.name,
            a.external_id or "",
            a.domain,
            a.get_segment_display(),
            a.owner.name if a.owner else "",
            a.am.name if a.am else "",
            a.csm.name if a.csm else "",
            a.get_onboarding_status_display(),
            "yes" if a.is_customer else "no",
            a.contract_start_date or "",
            a.renewal_date or "",
            a.arr,
        ]
        for a in qs.iterator(chunk_size=EXPORT_CHUNK)
    )
    return csv_response(filename=f"accounts-{clock.today():%Y-%m-%d}.csv", header=header, rows=rows)


@login_required
@require_POST
def account_assign_csm(request):
    """Bulk "assign CSM" from the account list: RevOps and managers only (403 for anyone else), audited."""
    if not list_services.can_assign_csm(request.user):
        raise PermissionDenied("only RevOps or a manager assigns CSMs")
    back = reverse("crm:account_list") + _back_query(request.POST.get("query", ""), "accounts")
    try:
        changed = list_services.accounts_assign_csm(
            user=request.user, account_ids=request.POST.getlist("account"), csm_id=request.POST.get("csm")
        )
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    count = len(request.POST.getlist("account"))
    messages.success(
        request,
        f"CSM set on {count} account{pluralize(count)}"
        + (f" ({len(changed)} changed)." if len(changed) != count else "."),
    )
    return redirect(back)


def _back_query(query: str, page: str) -> str:
    canonical = lists.parse_query(page, query).query
    return f"?{canonical}" if canonical else ""


@login_required
@require_POST
def saved_view_save(request, page: str):
    if page not in lists.PARSERS:
        raise Http404("No such list")
    query = request.POST.get("query", "")
    back = reverse(LIST_URLS[page]) + _back_query(query, page)
    try:
        view = list_services.saved_view_save(
            user=request.user, page=page, name=request.POST.get("name", ""), query=query
        )
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    messages.success(request, f"Saved the view “{view.name}”.")
    return redirect(back)


@login_required
@require_POST
def saved_view_delete(request, pk: int):
    try:
        view = SavedView.objects.get(user=request.user, pk=pk)
    except SavedView.DoesNotExist:
        raise Http404("No such view") from None
    page, name = view.page, view.name
    list_services.saved_view_delete(user=request.user, pk=pk)
    messages.success(request, f"Deleted the view “{name}”.")
    return redirect(reverse(LIST_URLS[page]) + _back_query(request.POST.get("query", ""), page))


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
    state = lists.opportunities(request.GET)
    opportunities = selectors.opportunity_list(user=request.user, **state.filters, sort=state.sort)
    template = "crm/opportunity_list.html#results" if request.htmx else "crm/opportunity_list.html"
    context = _list_context(request, state, page_qs=opportunities)
    context.update(q=state.filters["q"], stage=state.filters["stage"], stages=Stage.choices)
    return render(request, template, context)


@login_required
def opportunity_export(request):
    """The open-opportunity list as CSV with the page's filters and sort (only deals the user can see)."""
    state = lists.opportunities(request.GET)
    qs = selectors.opportunity_list(user=request.user, **state.filters, sort=state.sort).select_related("se", "sdr")
    header = [
        "Deal",
        "External id",
        "Account",
        "Type",
        "Stage",
        "Owner",
        "SE",
        "SDR",
        "Close date",
        "ACV",
        "SAM value",
        "Deal health",
        "Risk flags",
    ]
    rows = (
        [
            o.name,
            o.external_id or "",
            o.account.name,
            o.get_type_display(),
            o.get_stage_display(),
            o.owner.name if o.owner else "",
            o.se.name if o.se else "",
            o.sdr.name if o.sdr else "",
            o.close_date or "",
            o.acv,
            o.sam_value,
            "" if o.deal_health_score is None else o.deal_health_score,
            " ".join(o.deal_risk_flags or []),
        ]
        for o in qs.iterator(chunk_size=EXPORT_CHUNK)
    )
    return csv_response(filename=f"opportunities-{clock.today():%Y-%m-%d}.csv", header=header, rows=rows)


def _opportunity_for(request, pk: int) -> Opportunity:
    try:
        return selectors.opportunity_get(user=request.user, pk=pk)
    except Opportunity.DoesNotExist:
        raise Http404("No such opportunity") from None


def _timeline_kind(request, kinds) -> str:
    kind = request.GET.get("kind", "")
    return kind if kind in kinds else ""


@login_required
def opportunity_detail(request, pk: int):
    """The deal page: key figures, deal health in words, next step, stakeholders with buying roles, quotes, and
    the deal's activity timeline (the account 360's timeline code, narrowed to the deal)."""
    from gtmos.core import account360

    opportunity = _opportunity_for(request, pk)
    calls = list(opportunity.calls.only("occurred_at", "next_steps", "opportunity_id").order_by("-occurred_at")[:5])
    stakeholders = list(opportunity.account.contacts.order_by("-is_executive_sponsor", "buying_role", "name")[:12])
    kind = _timeline_kind(request, account360.OPPORTUNITY_TIMELINE_KINDS)
    return render(
        request,
        "crm/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "quotes": opportunity.quotes.prefetch_related("lines__product"),
            # The next step is the latest call's first agreed next step.
            "next_step": next((step for c in calls for step in (c.next_steps or [])[:1]), ""),
            "next_step_call": next((c for c in calls if c.next_steps), None),
            "stakeholders": stakeholders,
            "deal": account360.deal_block(opportunity=opportunity, stakeholders=stakeholders, calls=calls),
            "plan": getattr(opportunity, "onboarding_plan", None),
            "items": account360.timeline(account=opportunity.account, opportunity=opportunity, kind=kind),
            "kind": kind,
            "timeline_kinds": account360.OPPORTUNITY_TIMELINE_KINDS,
        },
    )


@login_required
def opportunity_tab(request, pk: int, tab: str):
    """The deal timeline as an htmx fragment (filter chips); opened directly, the whole page (STYLE 22)."""
    from gtmos.core import account360

    if tab != "timeline":
        raise Http404("No such tab")
    if not request.htmx:
        return opportunity_detail(request, pk)
    opportunity = _opportunity_for(request, pk)
    kind = _timeline_kind(request, account360.OPPORTUNITY_TIMELINE_KINDS)
    return render(
        request,
        "crm/opportunity_detail.html#timeline",
        {
            "opportunity": opportunity,
            "items": account360.timeline(account=opportunity.account, opportunity=opportunity, kind=kind),
            "kind": kind,
            "timeline_kinds": account360.OPPORTUNITY_TIMELINE_KINDS,
        },
    )
