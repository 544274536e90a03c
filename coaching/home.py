"""The coaching panels of the managers' and SLM's homes (gtmos/core/homes.py). Registered from
CoachingConfig.ready because core must not import coaching (nothing imports coaching; DESIGN)."""

from __future__ import annotations

from django.urls import reverse

from gtmos.core.homes import ROWS, Panel

from . import selectors
from .access import can_coach


def coaching_queue(*, user, employee, today) -> Panel | None:
    """Recommendations waiting for this manager's approve / modify / dismiss, longest-persisting first."""
    if not can_coach(user):
        return None
    pending = selectors.queue(user=user)["pending"]
    return Panel(
        "coaching_queue",
        "Coaching recommendations to decide",
        "coaching/partials/home_queue.html",
        rows=pending[:ROWS],
        total=len(pending),
        link=reverse("coaching:queue"),
        link_label="Coaching queue",
        empty="No recommendation is waiting for your decision.",
    )


def coaching_escalations(*, user, employee, today) -> Panel | None:
    """Open coaching escalations addressed to the SLM (week-3 persistence and the other thresholds)."""
    if not can_coach(user):
        return None
    open_ = [e for e in selectors.escalations(user=user) if e.resolved_at is None and e.to_slm]
    return Panel(
        "coaching_escalations",
        "Coaching escalations to you",
        "coaching/partials/home_escalations.html",
        rows=open_[:ROWS],
        total=len(open_),
        link=reverse("coaching:escalations"),
        link_label="Coaching escalations",
        empty="No open coaching escalation.",
    )


def register() -> None:
    from gtmos.core.homes import register_panel

    register_panel(("manager",), coaching_queue)
    register_panel(("slm",), coaching_escalations)
