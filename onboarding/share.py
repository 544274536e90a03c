"""The customer's read-only view of a MAP by signed link, and the team's share / revoke actions (issue 20).

The public page shows the plan and its owners — value events with target dates, the milestone timeline, the
commitments and the customer's stakeholders — and nothing internal: no risk notes, rejection reasons, SLM notes,
kickoff brief, activity log or technical-win notes.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from gtmos.core import clock
from gtmos.crm.access import employee_of
from gtmos.crm.models import Contact

from . import forms, gantt, selectors
from .models import MapShareLink, MutualActionPlan, ProductValueEvent
from .services import map_share

STAKEHOLDER_ROLES = dict(forms.STAKEHOLDER_ROLES)


def can_share(user) -> bool:
    employee = employee_of(user)
    return employee is not None and employee.role in map_share.SHARER_ROLES


def shared_plan(*, map_: MutualActionPlan, today: dt.date) -> dict:
    """What the customer sees: the plan's content and owners, never the internal notes (a fixed set of queries)."""
    plan = getattr(map_, "plan", None)
    start = (plan.contract_start_date if plan else None) or map_.opportunity.close_date or today
    events = {
        e.pk: e
        for e in ProductValueEvent.objects.filter(
            pk__in=[v.get("value_event_id") for v in map_.selected_value_events or []]
        )
    }
    value_events = [
        {"name": events[v["value_event_id"]].event_name, "target": _date(v.get("target_date"))}
        for v in map_.selected_value_events or []
        if v.get("value_event_id") in events
    ]
    contacts = {
        c.pk: c
        for c in Contact.objects.filter(pk__in=[s.get("contact_id") for s in map_.customer_stakeholder_map or []])
    }
    stakeholders = [
        {
            "name": contacts[s["contact_id"]].name,
            "title": contacts[s["contact_id"]].title,
            "role": STAKEHOLDER_ROLES.get(s.get("role"), (s.get("role") or "").replace("_", " ").capitalize()),
        }
        for s in map_.customer_stakeholder_map or []
        if s.get("contact_id") in contacts
    ]
    milestones = []
    if plan is not None:
        milestones = [
            {
                "code": m.code,
                "name": m.name,
                "owner": m.owner.name if m.owner else m.owner_role.replace("_", " "),
                "target": m.target_date,
                "completed": m.completed_on,
            }
            for m in plan.milestones.select_related("owner").order_by("code")
        ]
    ttv_days = map_.ttv_target_days
    return {
        "map": map_,
        "account": map_.account,
        "start": start,
        "value_events": value_events,
        "stakeholders": stakeholders,
        "ttv_days": ttv_days,
        "ttv_date": start + dt.timedelta(days=ttv_days) if ttv_days else None,
        "commitments": [
            line.strip(" -•") for line in (map_.selling_team_commitments or "").splitlines() if line.strip()
        ],
        "gantt": gantt.build(milestones=milestones, start=start, today=today) if milestones else None,
        "agreed": map_.postsales_signoff_status == "accepted" or map_.slm_override,
        "owner": (plan.csm if plan and plan.csm else None) or map_.opportunity.owner,
    }


def _date(raw):
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except (TypeError, ValueError):
        return None


@require_GET
@never_cache
def map_share_page(request, token: str):
    try:
        link = map_share.map_share_open(token=token)
    except map_share.ShareLinkGone:
        raise Http404("No such plan") from None
    except map_share.ShareLinkExpired:
        return _refused(
            request,
            status=410,
            title="This link has expired",
            text=f"Shared plan links last {map_share.MAX_AGE_DAYS} days. Ask your customer success "
            "manager for a new one.",
        )
    except map_share.ShareLinkInvalid:
        return _refused(
            request,
            status=400,
            title="This link is not valid",
            text="The address may have been cut short or changed. Open the link from the original "
            "email again, or ask your customer success manager for a new one.",
        )
    today = clock.today()
    context = shared_plan(map_=link.map, today=today)
    context["expires"] = link.created_at + dt.timedelta(days=map_share.MAX_AGE_DAYS)
    response = render(request, "onboarding/map_share.html", context)
    _private(response)
    return response


def _refused(request, *, status: int, title: str, text: str):
    response = render(request, "onboarding/map_share_refused.html", {"title": title, "text": text}, status=status)
    _private(response)
    return response


def _private(response) -> None:
    # The link is the credential: never leak it onward, never let a search engine keep the page.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"


def _map_for(request, pk: int) -> MutualActionPlan:
    try:
        map_ = selectors.map_get(user=request.user, pk=pk)
    except MutualActionPlan.DoesNotExist:
        raise Http404("No such MAP") from None
    if not can_share(request.user):
        raise Http404("Not found")
    return map_


def _back(request, map_: MutualActionPlan):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("crm:account_detail", pk=map_.account_id)


@login_required
@require_POST
def map_share_create_view(request, pk: int):
    map_ = _map_for(request, pk)
    _, token = map_share.map_share_create(map_=map_, by=employee_of(request.user))
    url = request.build_absolute_uri(reverse("onboarding:map_share", args=[token]))
    messages.success(
        request, f"Read-only plan link for {map_.account.name} (valid {map_share.MAX_AGE_DAYS} days): {url}"
    )
    return _back(request, map_)


@login_required
@require_POST
def map_share_revoke_view(request, pk: int, link_id):
    map_ = _map_for(request, pk)
    link = MapShareLink.objects.filter(map=map_, pk=link_id).first()
    if link is None:
        raise Http404("No such link")
    map_share.map_share_revoke(link=link, by=employee_of(request.user))
    messages.success(request, "The shared plan link is revoked; opening it now shows “not found”.")
    return _back(request, map_)
