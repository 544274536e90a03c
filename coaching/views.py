"""Coaching pages: the manager's approval queue and on-demand rep view, the SLM's escalations, the rep's
digests, flags, forecast accuracy and the business-review roll-up. Each view: one access check through
visible_to, a form, one service or selector call, render (a fragment when htmx asks)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from gtmos.crm.access import employee_of
from gtmos.crm.models import Employee

from . import forms, selectors
from .access import can_coach
from .models import Digest, RepCoachingLog
from .services import approval

ACTION_ERRORS = (ValueError, TransitionNotAllowed, ConcurrentTransition, approval.NotAllowed)


def _me(request) -> Employee:
    me = employee_of(request.user)
    if me is None:
        raise Http404("Not found")
    return me


def _coach(request) -> None:
    """The manager pages answer 404 to a rep, as to a stranger (coaching/access.py)."""
    if not can_coach(request.user):
        raise Http404("Not found")


def _log(request, pk: int) -> RepCoachingLog:
    try:
        return RepCoachingLog.objects.visible_to(request.user).select_related("rep").get(pk=pk)
    except RepCoachingLog.DoesNotExist:
        raise Http404("No such recommendation") from None


def _error(exc) -> str:
    if isinstance(exc, (TransitionNotAllowed, ConcurrentTransition)):
        return "Someone already decided on this recommendation; the queue shows the current state."
    return str(exc).split(": ", 1)[-1]


@login_required
def queue(request):
    _coach(request)
    data = selectors.queue(user=request.user)
    template = "coaching/queue.html#queue" if request.htmx else "coaching/queue.html"
    return render(
        request,
        template,
        {
            **data,
            "team": selectors.team(user=request.user),
            "modify_form": forms.ModifyForm(),
            "dismiss_form": forms.DismissForm(),
        },
    )


def _decide(request, pk: int, verb: str):
    log = _log(request, pk)
    me = _me(request)
    form_class = {"modify": forms.ModifyForm, "dismiss": forms.DismissForm}.get(verb)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("coaching:queue")
    try:
        if verb == "approve":
            approval.recommendation_approve(log=log, by=me)
        elif verb == "modify":
            approval.recommendation_modify(log=log, by=me, **form.cleaned_data)
        else:
            approval.recommendation_dismiss(log=log, by=me, note=form.cleaned_data["note"])
        messages.success(
            request,
            {
                "approve": f"Approved for {log.rep.name}'s next monthly digest.",
                "modify": f"Approved with your changes for {log.rep.name}'s next digest.",
                "dismiss": "Dismissed. It is logged and never shown to the rep.",
            }[verb],
        )
    except approval.NotAllowed:
        raise Http404("No such recommendation") from None
    except ACTION_ERRORS as exc:
        messages.error(request, _error(exc))
    return redirect("coaching:queue")


@login_required
@require_POST
def approve(request, pk: int):
    return _decide(request, pk, "approve")


@login_required
@require_POST
def modify(request, pk: int):
    return _decide(request, pk, "modify")


@login_required
@require_POST
def dismiss(request, pk: int):
    return _decide(request, pk, "dismiss")


def _rep(request, pk: int) -> Employee:
    try:
        return selectors.coachable_rep(user=request.user, pk=pk)
    except Employee.DoesNotExist:
        raise Http404("No such rep") from None


@login_required
def rep(request, pk: int):
    rep = _rep(request, pk)
    me = employee_of(request.user)
    return render(
        request,
        "coaching/rep.html",
        {
            "rep": rep,
            **selectors.on_demand(rep=rep),
            "can_escalate": me is not None and rep.manager_id == me.pk,
            "escalate_form": forms.EscalateForm(),
        },
    )


@login_required
@require_POST
def escalate(request, pk: int):
    rep = _rep(request, pk)
    form = forms.EscalateForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["note"][0])
        return redirect("coaching:rep", pk=rep.pk)
    try:
        approval.escalation_request(rep=rep, by=_me(request), note=form.cleaned_data["note"])
        messages.success(request, f"Sent to {rep.slm.name if rep.slm else 'the SLM'} with your note.")
    except ACTION_ERRORS as exc:
        messages.error(request, _error(exc))
    return redirect("coaching:rep", pk=rep.pk)


@login_required
def escalations(request):
    _coach(request)
    return render(
        request,
        "coaching/escalations.html",
        {
            "escalations": selectors.escalations(user=request.user),
            "resolve_form": forms.ResolveForm(),
            "me": employee_of(request.user),
        },
    )


@login_required
@require_POST
def resolve(request, pk: int):
    log = _log(request, pk)
    form = forms.ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["note"][0])
        return redirect("coaching:escalations")
    try:
        approval.escalation_resolve(log=log, by=_me(request), **form.cleaned_data)
        messages.success(request, f"Resolved: {log.rep.name}'s pattern is closed.")
    except approval.NotAllowed:
        raise Http404("No such pattern") from None
    except ACTION_ERRORS as exc:
        messages.error(request, _error(exc))
    return redirect("coaching:escalations")


@login_required
def digests(request):
    return render(request, "coaching/digests.html", {"digests": selectors.digests(user=request.user)})


@login_required
def digest(request, pk: int):
    try:
        d = selectors.digest_get(user=request.user, pk=pk)
    except Digest.DoesNotExist:
        raise Http404("No such digest") from None
    return render(request, "coaching/digest.html", {"digest": d, "c": d.content})


@login_required
def flags(request):
    _coach(request)
    return render(request, "coaching/flags.html", {"flags": selectors.flags(user=request.user)})


@login_required
def forecast(request):
    _coach(request)
    return render(request, "coaching/forecast.html", {"rows": selectors.forecast_accuracy(user=request.user)})


@login_required
def review(request):
    _coach(request)
    return render(request, "coaching/review.html", selectors.review(user=request.user))
