"""Who may open a prospect session: the browser that started it (its id is in that browser's Django
session) or, after S8, the user it became. Anyone else gets a 404 — a session id alone opens nothing.
Sales pages (re-engage queue) and RevOps' funnel are for employees with those roles."""

from __future__ import annotations

from django.http import Http404

from gtmos.crm.access import employee_of, sees_everything

from ..models import OnboardingSession

SESSION_KEY = "prospect_sessions"
KEEP = 20  # a browser that starts many sessions keeps its latest few
SALES_ROLES = ("sdr", "ae", "manager", "slm")


def grant(request, session: OnboardingSession) -> None:
    ids = [i for i in request.session.get(SESSION_KEY, []) if i != str(session.pk)]
    request.session[SESSION_KEY] = [str(session.pk), *ids][:KEEP]


def visible_to(request, queryset=None, *, pk=None):
    """Sessions this browser (or this signed-in prospect) may open. Given the ``pk`` asked for, and it is one
    of this browser's own, the signed-in user is not needed (nor loaded: a query saved on most pages)."""
    queryset = queryset if queryset is not None else OnboardingSession.objects.all()
    ids = request.session.get(SESSION_KEY, [])
    if pk is not None and str(pk) in ids:
        return queryset.filter(pk=pk)
    user = request.user
    if user.is_authenticated:
        from django.db.models import Q

        queryset = queryset.filter(Q(pk__in=ids) | Q(user=user))
    else:
        queryset = queryset.filter(pk__in=ids)
    return queryset if pk is None else queryset.filter(pk=pk)


def session_for(request, pk, *, related=("lead", "lead__profile", "route")) -> OnboardingSession:
    # [:1], not first(): a primary-key lookup needs no ORDER BY, and compiling one costs more than the query.
    sessions = OnboardingSession.objects.select_related(*related)
    if "route" in related:  # the pages read the decision's fields, never its stored whole or gateTrace (JSON)
        sessions = sessions.defer("route__decision", "route__gate_trace")
    found = list(visible_to(request, sessions, pk=pk)[:1])
    if not found:
        raise Http404("No such onboarding session")
    return found[0]


def can_work_prospects(user) -> bool:
    employee = employee_of(user)
    return sees_everything(user) or (employee is not None and employee.role in SALES_ROLES)


def can_see_funnel(user) -> bool:
    return sees_everything(user)
