"""Reads for the role home pages. Counts are aggregate queries: cost does not grow with the book."""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from gtmos.audit.models import Event, Notification
from gtmos.core import homes
from gtmos.crm.access import employee_of, sees_everything
from gtmos.crm.models import Account, Opportunity, Stage


def home_context(*, user) -> dict:
    employee = employee_of(user)
    context = {"employee": employee, "role": homes.role_of(user)}
    if not homes.shows_org_figures(user):
        # A rep's home is their to-do list (STYLE 21): no org-wide tiles, which read $0 for most of them.
        return {**context, **_unread(user), "panels": homes.home_panels(user=user), "org_figures": False}
    panels = homes.home_panels(user=user)
    accounts = Account.objects.visible_to(user)
    book = accounts.aggregate(
        total=Count("id"),
        customers=Count("id", filter=Q(is_customer=True)),
        onboarding=Count("id", filter=Q(onboarding_status="active")),
        arr=Sum("arr", filter=Q(is_customer=True)),
    )
    # A manager's or the SLM's team panel has already summed the same open deals per owner.
    team = next((p for p in panels if p.key == "team"), None)
    pipeline = team.extra["pipeline"] if team is not None else _open_pipeline(user)
    context = {
        **context,
        "book": book,
        "pipeline": pipeline,
        **_unread(user),
        "panels": panels,
        "org_figures": homes.shows_org_figures(user),
    }
    if sees_everything(user):
        context["system"] = {
            "last_heartbeat": Event.objects.filter(type="system.heartbeat").order_by("-occurred_at").first(),
            "last_worker_ping": Event.objects.filter(type="system.worker_ping").order_by("-occurred_at").first(),
            "events_total": Event.objects.count(),
        }
    return context


def _unread(user) -> dict:
    """The inbox card: the newest five unread notifications and how many are unread, in one query."""
    recent, unread = homes.first_rows(Notification.objects.filter(recipient=user, read_at__isnull=True), 5)
    return {"unread": unread, "recent_notifications": recent}


def _open_pipeline(user) -> dict:
    open_opps = Opportunity.objects.visible_to(user).exclude(stage__in=["closed_won", "closed_lost"])
    return open_opps.aggregate(
        count=Count("id"), acv=Sum("acv"), late=Count("id", filter=Q(stage__in=Stage.at_or_after(Stage.PROPOSAL)))
    )
