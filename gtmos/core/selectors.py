"""Reads for the role home pages. Counts are aggregate queries: cost does not grow with the book."""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from gtmos.audit.models import Event, Notification
from gtmos.crm.access import employee_of, sees_everything
from gtmos.crm.models import Account, Opportunity, Stage


def home_context(*, user) -> dict:
    employee = employee_of(user)
    accounts = Account.objects.visible_to(user)
    open_opps = Opportunity.objects.visible_to(user).exclude(stage__in=["closed_won", "closed_lost"])
    book = accounts.aggregate(
        total=Count("id"),
        customers=Count("id", filter=Q(is_customer=True)),
        onboarding=Count("id", filter=Q(onboarding_status="active")),
        arr=Sum("arr", filter=Q(is_customer=True)),
    )
    pipeline = open_opps.aggregate(count=Count("id"), acv=Sum("acv"),
                                   late=Count("id", filter=Q(stage__in=Stage.at_or_after(Stage.PROPOSAL))))
    context = {
        "employee": employee,
        "role": employee.role if employee else ("revops" if user.is_superuser else None),
        "book": book,
        "pipeline": pipeline,
        "unread": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
        "recent_notifications": Notification.objects.filter(recipient=user)[:5],
        "upcoming_renewals": accounts.filter(is_customer=True, renewal_date__isnull=False)
        .select_related("owner").order_by("renewal_date")[:8],
        "top_open_opps": open_opps.select_related("account", "owner").order_by("-acv")[:8],
    }
    if sees_everything(user):
        context["system"] = {
            "last_heartbeat": Event.objects.filter(type="system.heartbeat").order_by("-occurred_at").first(),
            "last_worker_ping": Event.objects.filter(type="system.worker_ping").order_by("-occurred_at").first(),
            "events_total": Event.objects.count(),
        }
    return context
