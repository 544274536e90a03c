"""White-glove pages (seed 002 W5–W10) for the AE and the SDR. Each view: the deal through
``Deal.objects.visible_to`` (anyone else gets 404), one form, one service, redirect back (POST/redirect/GET,
so back and refresh never repeat a step)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from gtmos.crm.access import employee_of

from ..models import Deal
from ..models.deal import MEDDPICC_CELLS, MEDDPICC_LABELS
from . import forms, selectors, steps
from .battlepack import WhiteGloveError, battlepack_refresh


def _deal(request, pk) -> Deal:
    try:
        return selectors.deal_get(user=request.user, pk=pk)
    except (Deal.DoesNotExist, ValueError):
        raise Http404("Not found") from None


@login_required
def pipeline_ae(request):
    return render(request, "whiteglove/pipeline.html", selectors.pipeline(user=request.user, role="ae"))


@login_required
def pipeline_sdr(request):
    return render(request, "whiteglove/pipeline.html", selectors.pipeline(user=request.user, role="sdr"))


@login_required
def scorecard(request):
    return render(request, "whiteglove/scorecard.html", selectors.scorecard(user=request.user))


@login_required
def deal_detail(request, pk):
    deal = _deal(request, pk)
    return redirect("whiteglove:deal_step", pk=deal.pk, step=selectors.STEP_SLUG.get(deal.session.state, "w5"))


@login_required
def deal_meddpicc(request, pk):
    deal = _deal(request, pk)
    return render(request, "whiteglove/meddpicc.html", {**_context(request, deal, "w7"), "tab": "meddpicc"})


@login_required
def deal_takeoff(request, pk):
    """Sarah's pre-run takeoff of the prospect's real pursuit: the record the battle pack points at."""
    deal = _deal(request, pk)
    context = _context(request, deal, "w5")
    return render(request, "whiteglove/takeoff.html", {**context, "tab": "takeoff", "record": deal.pre_run_takeoff})


def _context(request, deal: Deal, step: str) -> dict:
    employee = employee_of(request.user)
    current = selectors.STEP_SLUG.get(deal.session.state, "w5")
    card = deal.meddpicc or {}
    return {
        "deal": deal,
        "session": deal.session,
        "step": step,
        "current": current,
        "steps": selectors.STEPS,
        "is_ae": employee is not None and employee.pk == deal.ae_owner_id,
        "is_sdr": employee is not None and employee.pk == deal.sdr_id,
        "reviewed": steps.reviewed(deal),
        "outreach_email": steps.outreach_email(deal) if step == "w5" else None,
        "cells": [{"key": c, "label": MEDDPICC_LABELS[c], **card.get(c, {})} for c in MEDDPICC_CELLS],
        "history": selectors.deal_history(deal=deal),
        "plan": selectors.deal_plan(deal=deal) if step in ("w9", "w10") else None,
        "next": selectors.next_action(deal, employee.role if employee else None),
        "security_form": forms.SecurityReviewForm(),
        "research": selectors.research_state(deal=deal)
        if step == "w5" and deal.session.state == "W5_BATTLEPACK"
        else None,
    }


STEP_TEMPLATES = {"w5", "w6", "w7", "w8", "w9", "w10"}


@login_required
def deal_step(request, pk, step: str):
    if step not in STEP_TEMPLATES:
        raise Http404("No such step")
    deal = _deal(request, pk)
    context = _context(request, deal, step)
    context.update(
        {
            "outreach_form": forms.OutreachForm(
                initial={"subject": deal.outreach_subject, "body": deal.drafted_outreach}
            ),
            "meeting_form": forms.MeetingForm(),
            "demo_form": forms.DemoForm(),
            "commitment_form": forms.CommitmentForm(),
            "won_form": forms.CloseWonForm(),
            "lost_form": forms.LostForm(),
        }
    )
    return render(request, f"whiteglove/{step}.html", context)


# action → (form class or None, service call, success message)
ACTIONS = {
    "review": (None, lambda d, e, c: steps.battlepack_review(deal=d, by=e), "Reviewed: the SDR can send this draft."),
    "refresh": (
        None,
        lambda d, e, c: battlepack_refresh(deal=d, by=e),
        "Battle pack rebuilt with the latest research.",
    ),
    "edit": (
        forms.OutreachForm,
        lambda d, e, c: steps.outreach_edit(deal=d, by=e, subject=c["subject"], body=c["body"]),
        "Draft saved. The AE must review it before it goes out.",
    ),
    "send": (None, lambda d, e, c: steps.outreach_send(deal=d, by=e), "Outreach sent."),
    "retry": (None, lambda d, e, c: steps.outreach_retry(deal=d, by=e), "Outreach sent."),
    "security_start": (
        None,
        lambda d, e, c: steps.security_review_start(deal=d, by=e),
        "Security review started.",
    ),
    "security_complete": (
        forms.SecurityReviewForm,
        lambda d, e, c: steps.security_review_complete(deal=d, by=e, outcome=c["outcome"]),
        "Security review completed.",
    ),
    "book": (
        forms.MeetingForm,
        lambda d, e, c: steps.meeting_book(deal=d, by=e, meeting_at=c["meeting_at"]),
        "Meeting booked: the deal is in discovery.",
    ),
    "cell": (
        forms.CellForm,
        lambda d, e, c: steps.meddpicc_update(
            deal=d, by=e, cell=c["cell"], value=c["value"], note=c["note"], confirm=c["confirm"], title=c["title"]
        ),
        "MEDDPICC updated.",
    ),
    "qualify": (None, lambda d, e, c: steps.deal_qualify(deal=d, by=e), "MEDDPICC qualified: on to the demo."),
    "demo": (
        forms.DemoForm,
        lambda d, e, c: steps.demo_deliver(
            deal=d, by=e, demoed=c["demoed"], validated=c["validated"], objections=c["objections"]
        ),
        "Demo delivered: the deal is at proposal.",
    ),
    "commit": (
        forms.CommitmentForm,
        lambda d, e, c: steps.commitment_add(deal=d, by=e, text=c["text"]),
        "Commitment logged.",
    ),
    "contract": (None, lambda d, e, c: steps.contract_send(deal=d, by=e), "Contract sent: negotiation."),
    "won": (
        forms.CloseWonForm,
        lambda d, e, c: steps.deal_close_won(deal=d, by=e, seats=c["seats"]),
        "Closed won: onboarding has started.",
    ),
    "lost": (forms.LostForm, lambda d, e, c: steps.deal_close_lost(deal=d, by=e, reason=c["reason"]), "Closed lost."),
}


@login_required
@require_POST
def deal_action(request, pk, action: str):
    if action not in ACTIONS:
        raise Http404("Unknown action")
    deal = _deal(request, pk)
    employee = employee_of(request.user)
    if employee is None:
        raise PermissionDenied("White-glove actions are for the deal's AE and SDR.")
    form_class, call, done = ACTIONS[action]
    cleaned = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                messages.error(
                    request,
                    f"{form.fields[field].label or field if field in form.fields else ''}: {' '.join(errors)}".strip(
                        ": "
                    ),
                )
            return redirect(_back(request, deal))
        cleaned = form.cleaned_data
    try:
        deal = call(deal, employee, cleaned)
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    except (WhiteGloveError, TransitionNotAllowed, ConcurrentTransition) as exc:
        text = (
            str(exc)
            if isinstance(exc, WhiteGloveError)
            else "Someone else changed this deal just now; reload and try again."
        )
        messages.error(
            request,
            text.split(": ", 1)[-1]
            if text.startswith(("body:", "value:", "demoed:", "text:", "reason:", "cell:", "outcome:"))
            else text,
        )
        return redirect(_back(request, deal))
    if action in ("send", "retry") and deal.outreach_sent_at is None:
        email = steps.outreach_email(deal)
        if email is not None and email.status == "abandoned":
            messages.warning(request, f"Send failed again ({email.last_error}). Check the address, then retry.")
        else:
            when = timezone.localtime(email.next_attempt_at).strftime("%Y-%m-%d %H:%M") if email else ""
            messages.warning(request, f"Send failed, retrying at {when}. The deal moves to outreach once it goes out.")
        return redirect(_back(request, deal))
    messages.success(request, done)
    if action in ("cell", "commit", "edit", "review", "refresh", "contract", "security_start", "security_complete"):
        return redirect(_back(request, deal))
    return redirect("whiteglove:deal_detail", pk=deal.pk)


def _back(request, deal) -> str:
    from django.urls import reverse
    from django.utils.http import url_has_allowed_host_and_scheme

    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return reverse("whiteglove:deal_detail", args=[deal.pk])
