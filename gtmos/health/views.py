"""Health pages for CSMs, AMs, managers and RevOps. Each view: one access check through visible_to,
a form, one service or selector call, render (a fragment when htmx asks)."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from gtmos.core import clock
from gtmos.core.csv_export import csv_cell
from gtmos.crm.access import employee_of, sees_everything
from gtmos.crm.models import Account

from . import backtest as backtest_report
from . import charts, forms, selectors
from .explain import describe
from .measures import BY_CODE, COMPONENT_LABELS, COMPONENTS, measure_weights, measures_of
from .models import ChurnRiskLog, HealthSettings, RetentionTask
from .scoring import LIVE_IN_ONBOARDING, tenure_segment
from .services import override as override_services
from .services import risk as risk_services
from .services.daily import scoring_config

PAGE_SIZE = 50
ACTION_ERRORS = (ValueError, TransitionNotAllowed, ConcurrentTransition)


def _account(request, pk: int) -> Account:
    try:
        return selectors.account_get(user=request.user, pk=pk)
    except Account.DoesNotExist:
        raise Http404("No such account") from None


def _manager(request):
    """The employee behind a write; people who may not change health get the same 404 as strangers."""
    employee = employee_of(request.user)
    if employee is None or not selectors.can_manage(request.user):
        raise Http404("Not found")
    return employee


def _error_text(exc) -> str:
    if isinstance(exc, ConcurrentTransition):
        return "Someone else moved this case just now; reload and try again."
    if isinstance(exc, TransitionNotAllowed):
        return "The case cannot make that move from its current stage."
    text = str(exc)
    return text.split(": ", 1)[-1] if ": " in text else text


def _add_error(form, exc) -> None:
    """Put a service's "field: message" error on the field it names, else on the form."""
    field = str(exc).split(": ", 1)[0] if isinstance(exc, ValueError) else None
    form.add_error(field if field in form.fields else None, _error_text(exc))


def _book_filters(request):
    form = forms.BookFilterForm(request.GET or None, reps=selectors.team_reps(user=request.user))
    return form, form.filters()


@login_required
def book(request):
    form, filters = _book_filters(request)
    day = selectors.latest_day()
    records = selectors.book(user=request.user, day=day, **filters) if day else []
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_rescores(page.object_list)
    context = {
        "form": form,
        "page": page,
        "day": day,
        "sort": filters["sort"],
        "filtered": len(filters) > 1,
        "querystring": request.GET.urlencode(),
    }
    return render(request, "health/book.html#results" if request.htmx else "health/book.html", context)


@login_required
def export_csv(request):
    """The book as CSV, with the same filters and the same visibility as the page."""
    _, filters = _book_filters(request)
    day = selectors.latest_day()
    records = selectors.book(user=request.user, day=day, **filters) if day else []
    header = [
        "account",
        "external_id",
        "day",
        "score",
        "computed_score",
        "overridden",
        "tier",
        "lifecycle_segment",
        "in_onboarding",
        "coverage_pct",
        "score_change",
        "data_gaps",
        "renewal_date",
        "arr",
        "csm",
        "am",
        "risk_stage",
        *COMPONENTS,
    ]

    def rows():
        yield header
        for r in records.iterator(chunk_size=2000) if day else []:
            a = r.account
            yield [
                a.name,
                a.external_id or "",
                r.day,
                r.score,
                r.computed_score,
                r.override_id is not None,
                r.tier,
                r.lifecycle_segment,
                r.in_onboarding,
                r.coverage_pct,
                "" if r.score_change is None else r.score_change,
                " ".join(r.data_gaps),
                a.renewal_date or "",
                a.arr,
                a.csm.name if a.csm else "",
                a.am.name if a.am else "",
                r.risk_stage or "",
                *[(r.components.get(c) or {}).get("score", "") for c in COMPONENTS],
            ]

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo())
    response = StreamingHttpResponse(
        (writer.writerow([csv_cell(v) for v in row]) for row in rows()), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="health-{day or "empty"}.csv"'
    return response


def _measure_rows(record, settings) -> list[dict]:
    weights = measure_weights(settings.weights)
    rows = []
    for comp in COMPONENTS:
        for m in measures_of(comp):
            score = record.measures.get(m.code)
            raw = record.inputs.get(m.code)
            substitute = (
                record.in_onboarding
                and m.onboarding not in ("live", "gap")
                and m.code not in record.inputs.get(LIVE_IN_ONBOARDING, [])
            )
            rows.append(
                {
                    "measure": m,
                    "component": COMPONENT_LABELS[comp],
                    "score": score,
                    "gap": score is None,
                    "weight": round(weights[m.code], 1),
                    "detail": describe(m.code, raw),
                    "source": m.onboarding if substitute else m.source,
                    "substitute": substitute,
                }
            )
    return rows


@login_required
def account(request, pk: int):
    acct = _account(request, pk)
    data = selectors.account_health(account=acct)
    return render(request, "health/account.html", _account_context(request, acct, data))


def _account_context(request, acct, data, **forms_):
    record = data["record"]
    settings = HealthSettings.load()
    case = data["case"]
    context = {
        "account": acct,
        **data,
        "can_manage": selectors.can_manage(request.user),
        "settings": settings,
        "override_form": forms_.get("override_form") or forms.OverrideForm(),
        "move_form": forms_.get("move_form")
        or forms.RiskMoveForm(
            stage=case.stage if case else "at_risk", initial={"objective": case.retention_objective if case else ""}
        ),
        "note_form": forms.NoteForm(),
        "today": clock.today(),
    }
    if record is not None:
        context.update(
            {
                "measure_rows": _measure_rows(record, settings),
                "components": _components(record, settings),
                # Scaled to 100, so a weak account's bar is short (not a full bar split differently).
                "component_bar": charts.hbar(
                    [(c, (record.components.get(c) or {}).get("points", 0)) for c in COMPONENTS],
                    width=640,
                    height=22,
                    total=100,
                ),
                "trend": charts.line([h["score"] for h in data["history"]], days=[h["day"] for h in data["history"]]),
                "trend_bands": charts.bands(
                    bounds=(settings.tier_high_min, settings.tier_medium_min, settings.tier_low_min)
                ),
                "drivers": [
                    {
                        **d,
                        "label": BY_CODE[d["measure"]].label if d["measure"] in BY_CODE else "Onboarding",
                        "detail": describe(d["measure"], d.get("raw")) if d["measure"] in BY_CODE else "",
                    }
                    for d in (data["last_move"] or {}).get("drivers", [])
                ],
                "low_confidence": record.coverage_pct < settings.low_coverage_pct,
                # Segment guidance is for accounts that are not at risk; an at-risk one has its case's playbook.
                "segment_playbook": None
                if record.lifecycle_segment == "at_risk" or (case and case.is_open)
                else selectors.segment_playbook(tenure=_tenure(acct, record, settings)),
            }
        )
    return context


def _components(record, settings) -> list[dict]:
    """Each component with its nominal weight and its effective share of today's score (gaps re-weight)."""
    weights = measure_weights(settings.weights)
    have = {code for code, score in record.measures.items() if score is not None}
    covered = sum(weights[c] for c in have) or 1
    return [
        {
            "key": c,
            "label": COMPONENT_LABELS[c],
            "weight": settings.weights[c],
            "effective": round(100 * sum(weights[m.code] for m in measures_of(c) if m.code in have) / covered),
            **(record.components.get(c) or {}),
        }
        for c in COMPONENTS
    ]


def _tenure(acct, record, settings) -> str:
    return tenure_segment(acct.contract_start_date, record.day, scoring_config(settings))


def _account_partial(request, acct, name: str, **forms_):
    context = _account_context(request, acct, selectors.account_health(account=acct), **forms_)
    return render(request, f"health/account.html#{name}", context)


@login_required
@require_POST
def override_set(request, pk: int):
    acct = _account(request, pk)
    employee = _manager(request)
    form = forms.OverrideForm(request.POST)
    if form.is_valid():
        try:
            override_services.override_set(account=acct, by=employee, **form.cleaned_data)
            messages.success(request, "Override saved; the computed score stays on record beside it.")
        except ACTION_ERRORS as exc:
            _add_error(form, exc)
    if not form.is_valid() or form.errors:
        if request.htmx:
            return _account_partial(request, acct, "override", override_form=form)
        return render(
            request,
            "health/account.html",
            _account_context(request, acct, selectors.account_health(account=acct), override_form=form),
            status=422,
        )
    if request.htmx:  # the whole page changes (score, tier, banner): reload it
        return HttpResponse(status=204, headers={"HX-Redirect": reverse("health:account", args=[pk])})
    return redirect("health:account", pk=pk)


@login_required
@require_POST
def override_clear(request, pk: int):
    acct = _account(request, pk)
    override_services.override_clear(account=acct, by=_manager(request))
    messages.success(request, "Override cleared: the computed score is back in force.")
    return redirect("health:account", pk=pk)


def _case(request, pk: int) -> ChurnRiskLog:
    try:
        return ChurnRiskLog.objects.visible_to(request.user).select_related("account").get(pk=pk)
    except ChurnRiskLog.DoesNotExist:
        raise Http404("No such case") from None


@login_required
@require_POST
def risk_move(request, pk: int):
    case = _case(request, pk)
    employee = _manager(request)
    form = forms.RiskMoveForm(request.POST, stage=case.stage, initial={"objective": case.retention_objective})
    if form.is_valid():
        try:
            risk_services.risk_stage_move(case=case, by=employee, **form.cleaned_data)
            messages.success(request, f"Case moved to {case.get_stage_display().lower()}.")
            url = reverse("health:account", args=[case.account_id])
            if request.htmx:
                return HttpResponse(status=204, headers={"HX-Redirect": url})
            return redirect(url)
        except ACTION_ERRORS as exc:
            _add_error(form, exc)
    acct = _account(request, case.account_id)
    if request.htmx:  # only the churn-risk section, with the errors where the user is looking
        return _account_partial(request, acct, "risk", move_form=form)
    return render(
        request,
        "health/account.html",
        _account_context(request, acct, selectors.account_health(account=acct), move_form=form),
        status=422,
    )


@login_required
@require_POST
def task_done(request, pk: int):
    try:
        task = RetentionTask.objects.visible_to(request.user).select_related("case").get(pk=pk)
    except RetentionTask.DoesNotExist:
        raise Http404("No such task") from None
    employee = _manager(request)
    form = forms.TaskDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say what came of the task before marking it done.")
        return redirect("health:account", pk=task.account_id)
    try:
        risk_services.retention_task_complete(task=task, by=employee, outcome=form.cleaned_data["outcome"])
        messages.success(request, f"Done: {task.title}.")
    except ValueError as exc:
        messages.error(request, _error_text(exc))
    return redirect("health:account", pk=task.account_id)


@login_required
@require_POST
def note_add(request, pk: int):
    case = _case(request, pk)
    employee = _manager(request)
    form = forms.NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write the note before saving it.")
        return redirect("health:account", pk=case.account_id)
    try:
        risk_services.retention_note_add(case=case, by=employee, body=form.cleaned_data["body"])
        messages.success(request, "Note logged on the retention plan.")
    except ValueError as exc:
        messages.error(request, _error_text(exc))
    return redirect("health:account", pk=case.account_id)


@login_required
def portfolio(request):
    by = "am" if request.GET.get("by") == "am" else "csm"
    day = selectors.latest_day()
    rows = selectors.portfolio(user=request.user, day=day, by=by) if day else []
    for row in rows:
        row["bar"] = charts.hbar([(k, row[k]) for k in charts.TIER_KEYS], width=220, height=14)
    return render(
        request,
        "health/portfolio.html",
        {"rows": rows, "by": by, "day": day, "mover_points": HealthSettings.load().mover_points},
    )


@login_required
def dashboard(request):
    day = selectors.latest_day()
    if day is None:
        return render(request, "health/dashboard.html", {"day": None})
    data = selectors.dashboard(user=request.user, day=day)
    segments = ["new", "growing", "established", "at_risk"]
    matrix = [
        {
            "tier": t,
            "cells": [data["matrix"].get((t, s), 0) for s in segments],
            "total": sum(data["matrix"].get((t, s), 0) for s in segments),
        }
        for t in charts.TIER_KEYS
    ]
    settings = HealthSettings.load()
    return render(
        request,
        "health/dashboard.html",
        {
            **data,
            "day": day,
            "matrix_rows": matrix,
            "segments": segments,
            "tier_bar": charts.hbar([(r["tier"], r["total"]) for r in matrix], width=640, height=22),
            "avg_line": charts.line(
                [row["avg"] for row in data["trend"]], days=[row["day"] for row in data["trend"]], label="average"
            ),
            "avg_bands": charts.bands(bounds=(settings.tier_high_min, settings.tier_medium_min, settings.tier_low_min)),
            "tier_columns": charts.stacked_columns(data["trend"]),
        },
    )


@login_required
def risk_report(request):
    stage = request.GET.get("stage", "open")
    if stage not in selectors.RISK_REPORT_STAGES:
        stage = "open"
    day = selectors.latest_day()
    cases = selectors.risk_report(user=request.user, day=day, stage=stage)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "health/risk_report.html",
        {
            "page": page,
            "stage": stage,
            "now": clock.now(),
            "stages": [("open", "Open"), ("all", "All"), *ChurnRiskLog._meta.get_field("stage").choices],
        },
    )


@login_required
def backtest(request):
    """RevOps' check of the weights against what happened; it reads the whole book, so RevOps/execs only."""
    if not sees_everything(request.user):
        raise Http404("Not found")
    asked = request.GET.get("horizon", "")
    try:
        horizon = int(asked) if asked else backtest_report.DEFAULT_HORIZON
    except ValueError:
        horizon = None
    notice = ""
    if horizon is None or not 7 <= horizon <= 365:
        notice = f"“{asked}” is not a horizon between 7 and 365 days; showing {backtest_report.DEFAULT_HORIZON}."
        horizon = backtest_report.DEFAULT_HORIZON
    report = backtest_report.run(horizon_days=horizon)
    return render(
        request,
        "health/backtest.html",
        {"report": report, "horizon": horizon, "notice": notice, "first_day": selectors.first_day()},
    )


@login_required
def interventions(request):
    """Seed 004's prioritised intervention list: risk × ARR × renewal proximity (gtmos/health/interventions.py),
    each component shown so the CSM sees why an account ranks high."""
    from . import interventions as ranking
    from .models.log import Tier

    if not ranking.can_see(request.user):
        raise Http404("Not found")
    tier = request.GET.get("tier", "")
    tier = tier if tier in Tier.values else ""
    mine = request.GET.get("mine") == "1"
    day = selectors.latest_day()
    rows = ranking.intervention_list(user=request.user, day=day, tier=tier, mine=mine) if day else []
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "health/interventions.html",
        {
            "page": page,
            "day": day,
            "w": ranking.weights(),
            "tier": tier,
            "mine": mine,
            "tiers": Tier.choices,
            "rank_offset": page.start_index() - 1 if page.object_list else 0,
        },
    )
