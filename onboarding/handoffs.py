"""The handoffs list (issue 20 item 3, "acknowledge" in bulk): the CS handoffs filed at M7 over the plans the
person can see, pending first, with bulk acknowledge for the ones they own (seed 003 "Acknowledged by: {CS
owner}"). One by one stays on the handoff page; this is the CS owner's or manager's queue."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_POST

from gtmos.crm.access import employee_of

from .models import CSHandoff, OnboardingPlan
from .services import handoff as handoff_service

ROLES = ("am", "csm", "manager", "slm")  # who acknowledges handoffs (the CS owner and their chain)
READERS = (*ROLES, "revops", "exec")  # RevOps and the CRO read the queue (no boxes: never on the chain)
STATES = {"pending": "Waiting for acknowledgement", "acknowledged": "Acknowledged", "all": "All"}
PAGE_SIZE = 50


def can_acknowledge_handoffs(user) -> bool:
    employee = employee_of(user)
    return employee is not None and employee.role in ROLES


def can_see_handoffs(user) -> bool:
    employee = employee_of(user)
    return employee is not None and employee.role in READERS


def _guard(request, allowed=can_see_handoffs):
    if not allowed(request.user):
        raise Http404("No such page")  # absent from the role's menu, and not there when typed
    return employee_of(request.user)


@login_required
def handoff_list(request):
    employee = _guard(request)
    state = request.GET.get("state", "pending")
    state = state if state in STATES else "pending"
    qs = CSHandoff.objects.filter(plan__in=OnboardingPlan.objects.visible_to(request.user)).select_related(
        "account", "cs_owner", "filed_by", "acknowledged_by"
    )
    if state == "pending":
        qs = qs.filter(acknowledged_at__isnull=True)
    elif state == "acknowledged":
        qs = qs.filter(acknowledged_at__isnull=False)
    page = Paginator(qs.order_by("acknowledged_at", "-filed_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    for record in page:
        record.mine = record.acknowledged_at is None and handoff_service.owner_or_chain(record.cs_owner, employee)
    return render(
        request,
        "onboarding/handoff_list.html",
        {"page": page, "state": state, "states": STATES, "any_mine": any(r.mine for r in page)},
    )


@login_required
@require_POST
def handoff_acknowledge_bulk(request):
    employee = _guard(request, can_acknowledge_handoffs)
    state = request.POST.get("state", "pending")
    back = reverse("onboarding:handoff_list") + (f"?state={state}" if state in STATES else "")
    try:
        done = handoff_service.handoffs_acknowledge(
            handoff_ids=request.POST.getlist("handoff"),
            by=employee,
            visible=OnboardingPlan.objects.visible_to(request.user),
        )
    except handoff_service.HandoffError as exc:
        messages.error(request, str(exc)[:1].upper() + str(exc)[1:] + ".")
    else:
        messages.success(request, f"Acknowledged {len(done)} handoff{pluralize(len(done))}.")
    return redirect(back)
