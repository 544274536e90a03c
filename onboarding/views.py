"""Onboarding pages. Each view: one access check through visible_to, a form, one service call, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from gtmos.core import clock
from gtmos.crm.access import employee_of

from . import forms, selectors
from .access import can_close, can_review, can_triage_escalations
from .models import (
    CSHandoff,
    Escalation,
    MilestoneItem,
    MutualActionPlan,
    OnboardingPlan,
    SuccessTask,
    TrainingSession,
    TTVChangeRequest,
)
from .services import activity, comms, handoff, map_signoff, milestones, preclose, training

SERVICE_ERRORS = (
    map_signoff.SignoffError,
    milestones.MilestoneError,
    activity.ActivityError,
    handoff.HandoffError,
    comms.CommsError,
    training.TrainingError,
    PermissionError,
    ValueError,
    TransitionNotAllowed,
    ConcurrentTransition,
)


def _employee(request):
    employee = employee_of(request.user)
    if employee is None:
        raise PermissionDenied("This page is for revenue-team members with an employee record.")
    return employee


def _get(queryset_fn, **kwargs):
    try:
        return queryset_fn(**kwargs)
    except (OnboardingPlan.DoesNotExist, MutualActionPlan.DoesNotExist, selectors.Opportunity.DoesNotExist):
        raise Http404("Not found") from None


def _error(request, exc) -> None:
    text = str(exc) or exc.__class__.__name__
    if isinstance(exc, (TransitionNotAllowed, ConcurrentTransition)):
        text = "Someone else changed this record just now; reload and try again."
    messages.error(request, text.split(": ", 1)[-1] if ": " in text else text)


# --- pre-close ---------------------------------------------------------------------------------


@login_required
def preclose_list(request):
    return render(request, "onboarding/preclose_list.html", selectors.preclose_deals(user=request.user))


@login_required
def preclose_detail(request, pk: int):
    opportunity = _get(selectors.preclose_opportunity, user=request.user, pk=pk)
    plan = OnboardingPlan.objects.filter(opportunity=opportunity).select_related("map").first()
    map_ = plan.map if plan else None
    form = None
    if map_ is not None:
        employee = employee_of(request.user)
        form = forms.MapForm(
            request.POST or None,
            map_=map_,
            contacts=opportunity.account.contacts.all(),
            editor_role=employee.role if employee else None,
        )
        if request.method == "POST" and form.is_valid():
            try:
                if map_.signed_off:
                    change = map_signoff.map_change_after_signoff(
                        map_=map_,
                        by=_employee(request),
                        selected_value_events=form.selected_value_events(),
                        customer_stakeholder_map=form.stakeholder_map(),
                        reason=form.cleaned_data["change_reason"],
                    )
                else:
                    change = None
                    map_signoff.map_update(
                        map_=map_,
                        by=_employee(request),
                        selected_value_events=form.selected_value_events(),
                        technical_win_details=form.cleaned_data["technical_win_details"],
                        selling_team_commitments=form.cleaned_data["selling_team_commitments"],
                        customer_stakeholder_map=form.stakeholder_map(),
                        implementation_sow=map_.implementation_sow,
                        ttv_target_days=None if map_.ttv_locked_at else form.cleaned_data.get("ttv_target_days"),
                    )
            except SERVICE_ERRORS as exc:
                _error(request, exc)
            else:
                messages.success(request, "Change sent to the SLM for approval." if change else "MAP saved.")
                return redirect("onboarding:preclose_detail", pk=pk)
    from gtmos.audit.models import ExceptionLog

    return render(
        request,
        "onboarding/preclose_detail.html",
        {
            "opportunity": opportunity,
            "plan": plan,
            "map": map_,
            "form": form,
            "flags": ExceptionLog.objects.filter(opportunity=opportunity, exception_type="resource_flag"),
        },
    )


@login_required
@require_POST
def preclose_start(request, pk: int):
    opportunity = _get(selectors.preclose_opportunity, user=request.user, pk=pk)
    try:
        preclose.preboarding_start(opportunity=opportunity, by=_employee(request))
    except SERVICE_ERRORS as exc:
        _error(request, exc)
    else:
        messages.success(request, "Pre-boarding started: draft plan, kickoff brief and MAP are ready.")
    return redirect("onboarding:preclose_detail", pk=pk)


# --- post-sales review -------------------------------------------------------------------------


@login_required
def review_list(request):
    if not can_review(request.user):
        raise Http404("Not found")
    return render(request, "onboarding/review_list.html", selectors.review_queue(user=request.user))


@login_required
def review_detail(request, pk: int):
    map_ = _get(selectors.map_get, user=request.user, pk=pk)
    employee = employee_of(request.user)
    context = {
        "map": map_,
        "plan": getattr(map_, "plan", None),
        "employee": employee,
        "accept_form": forms.AcceptForm(),
        "reject_form": forms.RejectForm(),
        "note_form": forms.NoteForm(),
    }
    if request.method == "POST":
        action = request.POST.get("action")
        handlers = {
            "accept": (
                forms.AcceptForm,
                lambda d, e: map_signoff.map_accept(map_=map_, by=e, risk_notes=d["risk_notes"]),
            ),
            "reject": (forms.RejectForm, lambda d, e: map_signoff.map_reject(map_=map_, by=e, reason=d["reason"])),
            "escalate": (
                forms.NoteForm,
                lambda d, e: map_signoff.map_escalate_targets(map_=map_, by=e, note=d["note"]),
            ),
            "override": (forms.NoteForm, lambda d, e: map_signoff.map_slm_override(map_=map_, slm=e, note=d["note"])),
        }
        if action not in handlers:
            raise Http404("Unknown action")
        form_class, handler = handlers[action]
        form = form_class(request.POST)
        if form.is_valid():
            try:
                handler(form.cleaned_data, _employee(request))
            except SERVICE_ERRORS as exc:
                _error(request, exc)
            else:
                messages.success(
                    request,
                    {
                        "accept": "Accepted: sign-off recorded, TTV target locked.",
                        "reject": "Rejected: the SLM has been notified and comp is on hold.",
                        "escalate": "Escalated to the SLM.",
                        "override": "Override recorded: the deal proceeds.",
                    }[action],
                )
                return redirect("onboarding:review_detail", pk=pk)
        context[{"accept": "accept_form", "reject": "reject_form"}.get(action, "note_form")] = form
    return render(request, "onboarding/review_detail.html", context)


# --- CSM cockpit -------------------------------------------------------------------------------


@login_required
def cockpit(request):
    mine = request.GET.get("all") != "1"
    return render(
        request,
        "onboarding/cockpit.html",
        {"views": selectors.cockpit(user=request.user, mine_only=mine), "mine": mine, "today": clock.today()},
    )


def _plan_context(plan: OnboardingPlan, user) -> dict:
    """The plan page and every htmx re-render of its workspace share one context."""
    detail = selectors.plan_detail(plan=plan)
    employee = employee_of(user)
    completable = {m.code for m in detail["view"].milestones if milestones.may_complete(employee, m)}
    return {
        "plan": plan,
        **detail,
        "completable": completable,
        "activity_form": forms.ActivityForm(),
        "may_close": employee is not None and employee.role == "csm",  # M7: the CSM's manual gate
        "may_train": plan.status == "active" and training.may_train(employee, plan),
        "milestone_form": forms.MilestoneForm(),
        "ttv_form": forms.TTVRequestForm(),
        "message_form": forms.MessageForm(plan=plan),
        "messages_scheduled": plan.messages.select_related("contact").order_by("-send_on")[:20],
    }


@login_required
def plan_detail(request, pk: int):
    plan = _get(selectors.plan_get, user=request.user, pk=pk)
    context = _plan_context(plan, request.user)
    template = "onboarding/plan_detail.html"
    if request.htmx and request.GET.get("fragment") in ("board", "log"):
        template += "#" + request.GET["fragment"]
    return render(request, template, context)


def _plan_action(request, pk, fn):
    plan = _get(selectors.plan_get, user=request.user, pk=pk)
    try:
        fn(plan, _employee(request))
    except SERVICE_ERRORS as exc:
        _error(request, exc)
    if request.htmx:
        return render(request, "onboarding/plan_detail.html#workspace", _plan_context(plan, request.user))
    return redirect("onboarding:plan_detail", pk=pk)


@login_required
@require_POST
def milestone_complete(request, pk: int, code: str):
    form = forms.MilestoneForm(request.POST)

    def act(plan, employee):
        if not form.is_valid():
            raise ValueError("completed_on: enter a valid date")
        item = MilestoneItem.objects.filter(plan=plan, code=code).first()
        if item is None:
            raise Http404("No such milestone")
        milestones.milestone_complete(
            item=item, by=request.user, evidence=form.cleaned_data["evidence"], on=form.cleaned_data.get("completed_on")
        )

    return _plan_action(request, pk, act)


@login_required
@require_POST
def activity_log(request, pk: int):
    form = forms.ActivityForm(request.POST)

    def act(plan, employee):
        if not form.is_valid():
            raise ValueError("kind: choose what happened")
        activity.activity_log(
            plan=plan,
            kind=form.cleaned_data["kind"],
            by=employee,
            notes=form.cleaned_data["notes"],
            on=form.cleaned_data.get("on"),
        )

    return _plan_action(request, pk, act)


@login_required
@require_POST
def message_send(request, pk: int):
    plan = _get(selectors.plan_get, user=request.user, pk=pk)
    form = forms.MessageForm(request.POST, plan=plan)
    if not form.is_valid():
        messages.error(request, "Pick a template and a contact with an email address.")
        return redirect("onboarding:plan_detail", pk=pk)
    try:
        message = comms.message_schedule(plan=plan, by=_employee(request), **form.cleaned_data)
    except SERVICE_ERRORS as exc:
        _error(request, exc)
    else:
        messages.success(
            request,
            f"Sent “{message.subject}”."
            if message.status == "sent"
            else f"Scheduled “{message.subject}” for {message.send_on:%Y-%m-%d}.",
        )
    return redirect("onboarding:plan_detail", pk=pk)


@login_required
def plan_close(request, pk: int):
    plan = _get(selectors.plan_get, user=request.user, pk=pk)
    if not can_close(request.user):
        raise PermissionDenied("Only the account's CSM closes onboarding (M7).")
    form = forms.HandoffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = handoff.onboarding_close(plan=plan, by=_employee(request), handoff=form.cleaned_data)
        except SERVICE_ERRORS as exc:
            _error(request, exc)
        else:
            messages.success(request, "Onboarding closed and the handoff filed.")
            return redirect("onboarding:handoff_detail", pk=record.pk)
    return render(
        request,
        "onboarding/plan_close.html",
        {"plan": plan, "form": form, "open": plan.milestones.exclude(code="M7").filter(status="pending")},
    )


@login_required
def plan_checklist_page(request, pk: int):
    """The onboarding checklist as a printable document (seed 004's output format): milestones with owner,
    dates, status and evidence, the value events, and the training schedule with attendance."""
    plan = _get(selectors.plan_get, user=request.user, pk=pk)
    detail = selectors.plan_detail(plan=plan)
    return render(
        request,
        "onboarding/plan_checklist.html",
        {"plan": plan, **detail, "today": clock.today(), "rows": selectors.plan_checklist(plan=plan)[1:]},
    )


@login_required
def plan_checklist(request, pk: int):
    """The onboarding checklist as a spreadsheet (seed 004's output format)."""
    import csv

    from django.http import HttpResponse

    plan = _get(selectors.plan_get, user=request.user, pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="onboarding-checklist-{plan.pk}.csv"'
    writer = csv.writer(response)
    for row in selectors.plan_checklist(plan=plan):
        writer.writerow([("'" + c) if isinstance(c, str) and c[:1] in ("=", "+", "-", "@") else c for c in row])
    return response


ESCALATIONS_PER_PAGE = 50


@login_required
def escalation_report(request):
    """Seed 004's escalation management on one page: the resolution-time report per kind (median against
    RevOps' target), the triage list (filters by kind, owner, age and state; sortable headers; in the URL) and
    the printable procedures — over the plans the user may see."""
    if not can_triage_escalations(request.user):
        raise Http404("Not found")
    state = request.GET.get("state", "open")
    state = state if state in selectors.ESCALATION_STATES else "open"
    kind = request.GET.get("kind", "")
    kind = kind if kind in Escalation.Kind.values else ""
    try:
        owner = int(request.GET.get("owner") or 0) or None
    except ValueError:
        owner = None
    age = request.GET.get("age", "")
    age = age if age in selectors.ESCALATION_AGES else ""
    sort = selectors.ESCALATION_SORT.parse(request.GET.get("sort"))
    rows = selectors.escalation_triage(user=request.user, kind=kind, owner=owner, age=age, state=state, sort=sort)
    page = Paginator(rows, ESCALATIONS_PER_PAGE).get_page(request.GET.get("page"))
    now = clock.now()
    for e in page:
        e.age_days = ((e.resolved_at or now) - e.fired_at).days
    context = {
        "page": page,
        "sort": sort,
        "sort_spec": selectors.ESCALATION_SORT,
        "filters": {"state": state, "kind": kind, "owner": owner, "age": age},
        "states": selectors.ESCALATION_STATES,
        "ages": selectors.ESCALATION_AGES,
        "kinds_choices": Escalation.Kind.choices,
        "owners": selectors.escalation_owners(user=request.user),
    }
    if request.htmx and request.headers.get("HX-Target") == "results":
        return render(request, "onboarding/escalations.html#results", context)
    return render(request, "onboarding/escalations.html", {**context, **selectors.escalation_report(user=request.user)})


@login_required
def handoff_detail(request, pk: int):
    record = (
        CSHandoff.objects.filter(pk=pk, plan__in=OnboardingPlan.objects.visible_to(request.user))
        .select_related("account", "filed_by", "acknowledged_by", "warmth_assessed_by", "cs_owner")
        .first()
    )
    if record is None:
        raise Http404("Not found")
    if request.method == "POST":
        try:
            handoff.handoff_acknowledge(handoff=record, by=_employee(request))
        except SERVICE_ERRORS as exc:
            _error(request, exc)
        else:
            messages.success(request, "Handoff acknowledged.")
        return redirect("onboarding:handoff_detail", pk=pk)
    employee = employee_of(request.user)
    return render(
        request,
        "onboarding/handoff_detail.html",
        {
            "handoff": record,
            "tasks": record.tasks.select_related("owner", "done_by"),
            "may_acknowledge": employee is not None and handoff.owner_or_chain(record.cs_owner, employee),
        },
    )


@login_required
@require_POST
def success_task_complete(request, pk: int):
    task = SuccessTask.objects.filter(pk=pk, handoff__plan__in=OnboardingPlan.objects.visible_to(request.user)).first()
    if task is None:
        raise Http404("Not found")
    try:
        handoff.success_task_complete(task=task, by=_employee(request), note=request.POST.get("note", ""))
    except SERVICE_ERRORS as exc:
        _error(request, exc)
    else:
        messages.success(request, f"{task.get_kind_display()} recorded as done.")
    return redirect("onboarding:handoff_detail", pk=task.handoff_id)


@login_required
@require_POST
def ttv_request_create(request, pk: int):
    plan = _get(selectors.plan_get, user=request.user, pk=pk)
    form = forms.TTVRequestForm(request.POST)
    if form.is_valid():
        try:
            map_signoff.ttv_change_request(map_=plan.map, by=_employee(request), **form.cleaned_data)
        except SERVICE_ERRORS as exc:
            _error(request, exc)
        else:
            messages.success(request, "TTV change sent to the SLM for approval.")
    else:
        messages.error(request, "Give the requested days and a reason.")
    return redirect("onboarding:plan_detail", pk=pk)


@login_required
def ttv_request(request, pk: int):
    req = (
        TTVChangeRequest.objects.filter(pk=pk, map__in=MutualActionPlan.objects.visible_to(request.user))
        .select_related("map__opportunity", "requested_by", "decided_by")
        .first()
    )
    if req is None:
        raise Http404("Not found")
    if request.method == "POST":
        try:
            map_signoff.ttv_change_decide(
                request=req, slm=_employee(request), approve=request.POST.get("decision") == "approve"
            )
        except SERVICE_ERRORS as exc:
            _error(request, exc)
        else:
            messages.success(request, "Decision recorded.")
        return redirect("onboarding:ttv_request", pk=pk)
    return render(request, "onboarding/ttv_request.html", {"req": req, **selectors.change_request_events(req=req)})


# --- training sessions (seed 004: "Build training schedules"; "Day 14: Key users trained") -------------------


@login_required
def training_schedule(request, pk: int):
    plan = _get(selectors.plan_get, user=request.user, pk=pk)
    employee = employee_of(request.user)
    if not training.may_train(employee, plan):
        raise PermissionDenied("Training is scheduled by the CSM or a milestone owner on this plan.")
    form = forms.TrainingScheduleForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = training.training_schedule(
                plan=plan,
                by=employee,
                title=data["title"],
                audience=data["audience"],
                scheduled_for=data["scheduled_for"],
                duration_minutes=data["duration_minutes"],
                invitee_ids=[c.pk for c in data["invitees"]],
            )
        except SERVICE_ERRORS as exc:
            _error(request, exc)
        else:
            messages.success(request, f"Scheduled “{session.title}” for {session.scheduled_for:%Y-%m-%d %H:%M}.")
            return redirect(reverse("onboarding:plan_detail", args=[plan.pk]) + "#training")
    return render(request, "onboarding/training_schedule.html", {"plan": plan, "form": form})


@login_required
def training_detail(request, pk: int):
    session = (
        TrainingSession.objects.filter(pk=pk, plan__in=OnboardingPlan.objects.visible_to(request.user))
        .select_related("plan__account", "plan__map", "trainer", "scheduled_by")
        .first()
    )
    if session is None:
        raise Http404("Not found")
    employee = employee_of(request.user)
    may = session.plan.status == "active" and training.may_train(employee, session.plan)
    record_form = forms.TrainingRecordForm(
        request.POST if request.POST.get("action") == "record" else None, session=session
    )
    cancel_form = forms.TrainingCancelForm(request.POST if request.POST.get("action") == "cancel" else None)
    if request.method == "POST":
        if not may:
            raise PermissionDenied("Attendance is recorded by the CSM or a milestone owner on this plan.")
        action = request.POST.get("action")
        form = {"record": record_form, "cancel": cancel_form}.get(action)
        if form is None:
            raise Http404("Unknown action")
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "record":
                    training.training_record(
                        session=session,
                        by=employee,
                        attendee_ids=[c.pk for c in data["attendees"]],
                        notes=data["notes"],
                        on=data["held_on"],
                        complete_milestone=data.get("complete_milestone", False),
                    )
                else:
                    training.training_cancel(session=session, by=employee, reason=data["reason"])
            except SERVICE_ERRORS as exc:
                _error(request, exc)
            else:
                messages.success(request, "Attendance recorded." if action == "record" else "Session cancelled.")
                return redirect("onboarding:training_detail", pk=pk)
    return render(
        request,
        "onboarding/training_detail.html",
        {
            "session": session,
            "plan": session.plan,
            "invitees": session.invitees.order_by("name"),
            "attendees": session.attendees.order_by("name"),
            "may": may,
            "record_form": record_form,
            "cancel_form": cancel_form,
        },
    )
