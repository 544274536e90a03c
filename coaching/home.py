"""The coaching panels of the managers' and SLM's homes (gtmos/core/homes.py). Registered from
CoachingConfig.ready because core must not import coaching (nothing imports coaching; DESIGN)."""

from __future__ import annotations

from django.urls import reverse

from gtmos.core.homes import Panel, first_rows

from . import selectors
from .access import can_coach
from .models import ApprovalStatus, CoachingEscalation


def coaching_queue(*, user, employee, today) -> Panel | None:
    """Recommendations waiting for this manager's approve / modify / dismiss, longest-persisting first: the
    queue page's pending list (selectors.queue), its first ROWS and total in one query, reading only the columns
    the panel shows (the queue page also loads every decided row; issue 20: page speed)."""
    if not can_coach(user):
        return None
    pending = (
        selectors.queue_logs(user=user)
        .filter(approval_status=ApprovalStatus.PENDING)
        .only("rep_id", "approval_status", "weeks_persisting", "pattern_detected", "rep__name", "rep__role")
        .order_by("-weeks_persisting", "rep__name", "pk")  # pk: the same ten rows every time among ties
    )
    rows, total = first_rows(pending)
    return Panel(
        "coaching_queue",
        "Coaching recommendations to decide",
        "coaching/partials/home_queue.html",
        rows=rows,
        total=total,
        link=reverse("coaching:queue"),
        link_label="Coaching queue",
        empty="No recommendation is waiting for your decision.",
    )


def coaching_escalations(*, user, employee, today) -> Panel | None:
    """Open coaching escalations addressed to the SLM (week-3 persistence and the other thresholds), newest
    first. Filtered in SQL with the first ROWS and the total in one query: the panel used to read the
    escalations page's 200 rows (resolved ones first) with four joins and keep the open ones in Python."""
    if not can_coach(user):
        return None
    open_ = (
        CoachingEscalation.objects.visible_to(user)
        .filter(resolved_at__isnull=True, to_slm=True)
        .select_related("rep")
        .only("rep_id", "kind", "fired_on", "summary", "rep__name")
        .order_by("-fired_at", "-pk")
    )
    rows, total = first_rows(open_)
    return Panel(
        "coaching_escalations",
        "Coaching escalations to you",
        "coaching/partials/home_escalations.html",
        rows=rows,
        total=total,
        link=reverse("coaching:escalations"),
        link_label="Coaching escalations",
        empty="No open coaching escalation.",
    )


def register() -> None:
    from gtmos.core.homes import register_panel

    register_panel(("manager",), coaching_queue)
    register_panel(("slm",), coaching_escalations)
